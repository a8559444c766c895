"""Services and clients for the recordings of seed case 6 (sessions that a middlebox forgets while idle).

Server, in the server's namespace (runs until killed):
    python3 sessions.py serve PORT=session|line ...
        session: one session per user; a second LOGIN while the first session's connection is open is refused
                 ("ERR user already logged in"); every other line is answered "OK"
        line:    one line answered per connection, then closed
Clients, from a script in the client's namespace: sys.path gets this folder, then
    import sessions; sessions.session(server, source, port, "alice", keepalive_idle=None, idle=8.0)
"""
import socket
import struct
import sys
import threading
import time


def _family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _one_session_per_user(conn, sessions, lock):
    user = None
    try:
        for line in conn.makefile("rb"):
            words = line.decode().split()
            if words[:1] == ["LOGIN"]:
                with lock:
                    if words[1] in sessions:
                        conn.sendall(b"ERR user already logged in\r\n")
                        break
                    sessions.add(words[1])
                    user = words[1]
            conn.sendall(b"OK\r\n")
    except OSError:
        pass
    finally:
        conn.close()  # a session ends only when its connection does
        with lock:
            sessions.discard(user)


def _one_line(conn):
    conn.recv(1024)
    conn.sendall(b"200 OK wirewatch sample service\r\n")
    conn.close()


def serve(services):
    """services: {port: "session" | "line"}; listens on every address, IPv4 and IPv6."""
    sessions, lock = set(), threading.Lock()
    handlers = {"session": lambda conn: _one_session_per_user(conn, sessions, lock), "line": _one_line}

    def listen(port, handler):
        listener = socket.socket(socket.AF_INET6)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        listener.bind(("::", port))
        listener.listen(16)
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=handler, args=(conn,), daemon=True).start()

    for port, kind in services.items():
        threading.Thread(target=listen, args=(port, handlers[kind]), daemon=True).start()
    threading.Event().wait()


def session(server, source, port, user, keepalive_idle=None, idle=8.0):
    """Logs in from source:port, idles, sends one command; aborts with a RST when no answer comes."""
    s = socket.socket(_family(server))
    s.bind((source, port))
    if keepalive_idle:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepalive_idle)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    s.connect((server, 5000))
    s.sendall(f"LOGIN {user}\r\n".encode())
    print(f"  {user}: login {s.recv(100).decode().strip()}")
    time.sleep(idle)
    s.settimeout(4)
    try:
        s.sendall(b"PING\r\n")
        print(f"  {user}: after idle {s.recv(100).decode().strip() or 'closed'}")
    except OSError as e:
        print(f"  {user}: after idle {type(e).__name__}; giving up")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # abort: RST
    s.close()


def login_again(server, user):
    s = socket.socket(_family(server))
    s.settimeout(3)
    s.connect((server, 5000))
    s.sendall(f"LOGIN {user}\r\n".encode())
    print(f"  {user}: login again: {s.recv(100).decode().strip()}")
    s.close()


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "serve":
        sys.exit(__doc__)
    serve({int(port): kind for port, kind in (arg.split("=") for arg in sys.argv[2:])})
