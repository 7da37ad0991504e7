#!/usr/bin/env bash
# Peak memory of `thumbgen serve` under unauthenticated attacks (issue 10, item 3): each attack runs against a
# fresh server whose peak RSS (VmHWM) is first reset to its current RSS; the growth of the peak is printed, next to
# the 32 MB target. Resetting the peak needs write access to /proc/PID/clear_refs (the server's owner or root).
#   bash bench/server_preauth_rss.sh [BUILD_DIR=build]
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
thumbgen="$root/$build/thumbgen"
[ -x "$thumbgen" ] || { echo "preauth rss: $thumbgen missing (cmake --build $build --target thumbgen)"; exit 1; }
work=$(mktemp -d /tmp/thumbgen-preauth-rss.XXXXXX)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

for attack in login-8MiB-json login-8MiB-chunked upload-20MB-unauthenticated chunk-extension-64MiB trailer-64MiB \
              login-8MiB-json-x8; do
  rm -rf "$work/data" "$work/port"
  "$thumbgen" serve --listen 127.0.0.1:0 --data "$work/data" --port-file "$work/port" > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  python3 - "$(cat "$work/port")" "$server_pid" "$attack" <<'PY'
import socket, sys, threading
port, pid, attack = int(sys.argv[1]), sys.argv[2], sys.argv[3]
MiB = 1 << 20

def status(key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return None  # the server is gone

def reset_peak():  # VmHWM := VmRSS now (proc(5), clear_refs "5"): the hash at start no longer hides the attack
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")
    return status("VmRSS")

def send(raw):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(30)
    try:
        s.sendall(raw)
    except OSError:
        pass  # answered and closed before the whole body went out
    try:
        return s.recv(200).split(b"\r\n")[0].decode() or "closed"
    except OSError as e:
        return str(e)

def head(target, framing):
    return (f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{framing}\r\n").encode()

def chunked(body, piece=64 * 1024):
    out = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + piece]), body[i:i + piece]) for i in range(0, len(body), piece))
    return out + b"0\r\n\r\n"

login = b'{"username":"admin","password":"x","pad":[0' + b",0" * (4 * MiB) + b"]}"
attacks = {
    "login-8MiB-json": head("/api/v1/login/jwt", f"Content-Length: {len(login)}\r\n") + login,
    "login-8MiB-chunked": head("/api/v1/login/jwt", "Transfer-Encoding: chunked\r\n") + chunked(login),
    "upload-20MB-unauthenticated": head("/api/v1/admin/assets/1/thumbnail", "Content-Length: 20000000\r\n") +
        b"A" * 20000000,
    "chunk-extension-64MiB": head("/api/v1/login/jwt", "Transfer-Encoding: chunked\r\n") + b"1;" + b"x" * (64 * MiB) +
        b"\r\nx\r\n0\r\n\r\n",
    "trailer-64MiB": head("/api/v1/login/jwt", "Transfer-Encoding: chunked\r\n") + b"2\r\n{}\r\n0\r\nX-Pad: " +
        b"x" * (64 * MiB) + b"\r\n\r\n",
}
before = reset_peak()
if attack.endswith("-x8"):
    raw = attacks[attack[:-3]]
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(send(raw))) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    answer = ", ".join(sorted(set(answers)))
else:
    answer = send(attacks[attack])
after = status("VmHWM")
if after is None:
    print(f"{attack:30s} answer: {answer:40s} SERVER DIED")
else:
    growth = (after - before) / 1e6
    verdict = "PASS" if growth < 32 else "MISS"
    print(f"{attack:30s} answer: {answer:40s} peak RSS {before/1e6:6.1f} -> {after/1e6:6.1f} MB "
          f"(+{growth:.1f} MB)  [target < 32 MB: {verdict}]")
PY
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
done
