"""A delay line for the Kafka path where the kernel has no sch_netem: link-faults.sh redirects the sensor's
connections to the broker here (nftables, output hook), and this relays them to the broker on sockets marked
MARK (so the redirect skips them). While the file DELAY_FILE exists, each chunk the sensor sends is held
200 ms +- 50 ms (uniform), in order, like `netem delay 200ms 50ms` on the sensor's egress. Loss is the kernel's
(an nftables numgen rule on the same egress). Usage: delay-proxy.py LISTEN_PORT BROKER_IP BROKER_PORT MARK DELAY_FILE"""
import os
import queue
import random
import socket
import sys
import threading
import time

listen_port, broker_ip, broker_port, mark, delay_file = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                                         int(sys.argv[4], 0), sys.argv[5])


def close(*socks):
    for s in socks:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def pump(src, dst, delayed):
    held = queue.Queue()
    if delayed:
        threading.Thread(target=release, args=(held, dst, src), daemon=True).start()
    last_release = 0.0
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            if delayed:
                hold = random.uniform(0.15, 0.25) if os.path.exists(delay_file) else 0.0
                last_release = max(last_release, time.monotonic() + hold)  # jitter never reorders a stream
                held.put((last_release, chunk))
            else:
                dst.sendall(chunk)
    except OSError:
        pass
    if delayed:
        held.put((0.0, None))
    else:
        close(src, dst)


def release(held, dst, src):
    try:
        while True:
            at, chunk = held.get()
            if chunk is None:
                break
            time.sleep(max(0.0, at - time.monotonic()))
            dst.sendall(chunk)
    except OSError:
        pass
    close(src, dst)


def relay(client):
    upstream = socket.socket()
    upstream.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
    upstream.settimeout(10)
    try:
        upstream.connect((broker_ip, broker_port))
    except OSError:
        close(client, upstream)
        return
    upstream.settimeout(None)
    threading.Thread(target=pump, args=(client, upstream, True), daemon=True).start()
    pump(upstream, client, False)


listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", listen_port))
listener.listen(64)
while True:
    conn, _ = listener.accept()
    threading.Thread(target=relay, args=(conn,), daemon=True).start()
