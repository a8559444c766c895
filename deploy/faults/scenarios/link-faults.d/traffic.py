"""Bounded traffic for link-faults.sh. `serve PORT`: answers one line per connection, then closes.
`client SERVER_IP`: until killed, a short connection to :8080 five times a second, one to :8081 (no listener:
refused) every 2 s, and one to :8082 (the server's firewall drops it) every 5 s with a 3 s connect timeout."""
import socket
import sys
import threading
import time


def serve(port):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(64)
    while True:
        conn, _ = listener.accept()
        try:
            conn.recv(1024)
            conn.sendall(b"200 OK\r\n")
        except OSError:
            pass
        conn.close()


counts = {}


def connect(server, port, timeout):
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.connect((server, port))
        s.sendall(b"HELLO\r\n")
        s.recv(1024)
        outcome = "answered"
    except OSError as e:
        outcome = type(e).__name__
    finally:
        s.close()
    key = f"{port} {outcome}"
    counts[key] = counts.get(key, 0) + 1


def client(server):
    tick = 0
    last = time.time()
    while True:
        if tick % 10 == 0:
            threading.Thread(target=connect, args=(server, 8081, 2), daemon=True).start()
        if tick % 25 == 0:
            threading.Thread(target=connect, args=(server, 8082, 3), daemon=True).start()
        connect(server, 8080, 2)
        tick += 1
        time.sleep(0.2)
        if time.time() - last >= 10:
            last = time.time()
            print(time.strftime("%H:%M:%S"), dict(sorted(counts.items())), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        client(sys.argv[2])
