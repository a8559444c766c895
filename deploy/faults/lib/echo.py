# A TCP echo for bridge-port-removed.sh: "server ADDRESS PORT", or "client ADDRESS PORT SECONDS" (prints the
# longest echo round trip and every one over 0.5 s).
import socket, sys, time, threading
mode = sys.argv[1]
if mode == "server":
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[2], int(sys.argv[3]))); s.listen(1)
    c, _ = s.accept()
    while True:
        d = c.recv(100)
        if not d: break
        c.sendall(d)
else:
    c = socket.create_connection((sys.argv[2], int(sys.argv[3])))
    c.settimeout(120)
    end = time.time() + float(sys.argv[4]); worst = 0; t0 = time.time()
    while time.time() < end:
        t = time.time(); c.sendall(b"x"); c.recv(1); rtt = time.time() - t
        if rtt > 0.5: print(f"{t - t0:6.1f}s: echo took {rtt:.1f} s", flush=True)
        worst = max(worst, rtt); time.sleep(0.1)
    print(f"worst echo {worst:.2f} s")
