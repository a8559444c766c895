# Two hosts on one link, for the seed cases that need no more (deploy/samples/01-firewall-drop, 03-port-moved):
# client (198.51.100.10 and .11, eth0, MAC 02:00:00:00:00:0a) and server (198.51.100.20, eth0, MAC ...:14).
# Sourced after capture.sh and namespaces.sh, not run; the caller sets $client and $server (namespace names).

in_client() { ip netns exec "$client" "$@"; }
in_server() { ip netns exec "$server" "$@"; }

# A small TCP service: answers one line per connection, then closes. Listens on every port given.
serve() {
  ip netns exec "$server" python3 - "$@" <<'PY' &
import socket, sys, threading
def serve(port):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port)); listener.listen(16)
    while True:
        conn, _ = listener.accept()
        conn.recv(1024); conn.sendall(b"200 OK wirewatch sample service\r\n"); conn.close()
for port in sys.argv[1:]:
    threading.Thread(target=serve, args=(int(port),), daemon=True).start()
threading.Event().wait()
PY
  pids+=($!)
  sleep 0.5
}

# One client connection: source address, destination port, connect timeout in seconds. Prints what happened.
connect() {
  in_client python3 - "$@" <<'PY' || true
import socket, sys
source, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(); s.settimeout(timeout); s.bind((source, 0))
try:
    s.connect(("198.51.100.20", port)); s.sendall(b"HELLO\r\n"); s.recv(1024)
    print(f"  {source} -> :{port} answered")
except Exception as e:
    print(f"  {source} -> :{port} {type(e).__name__}: {e}")
finally:
    s.close()
PY
}

two_hosts_setup() {
  namespaces "$client" "$server"
  ip link add "$client-c" type veth peer name "$server-s"
  ip link set "$client-c" netns "$client"
  ip link set "$server-s" netns "$server"
  in_client ip link set "$client-c" name eth0
  in_server ip link set "$server-s" name eth0
  in_client ip link set eth0 address 02:00:00:00:00:0a
  in_server ip link set eth0 address 02:00:00:00:00:14
  in_client ip link set eth0 up
  in_server ip link set eth0 up
  in_client ip addr add 198.51.100.10/24 dev eth0
  in_client ip addr add 198.51.100.11/24 dev eth0
  in_server ip addr add 198.51.100.20/24 dev eth0
}
