"""The container network: the slirp network in the supervisor, published ports, DNS, the modes.

Loopback only: servers the tests start listen on 127.0.0.1 and containers reach nothing but the
host's loopback (10.0.2.2, with allow_host_loopback=true) and the DNS forwarder 10.0.2.3, which
scripts/test.sh points at a resolver of its own (BURROW_TEST_DNS) in a private mount namespace."""
import json
import os
import random
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from conftest import assert_error, assert_store_unchanged, ref, store_snapshot

# Set by scripts/test.sh: "RESOLVER_IP NAME ADDRESS" when burrow runs where /etc/resolv.conf names
# only RESOLVER_IP, a dnsmasq that knows NAME.
TEST_DNS = os.environ.get("BURROW_TEST_DNS", "").split()


def _ephemeral_start():
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        return int(f.read().split()[0])


def free_ports(n, kind=socket.SOCK_STREAM):
    """n distinct free ports below the ephemeral range: a port the kernel hands out to outgoing
    connections could be taken by one between the moment a test picks it and the moment burrow
    binds it."""
    top = max(_ephemeral_start(), 12000)
    socks = []
    try:
        while len(socks) < n:
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(("127.0.0.1", random.randrange(10000, top)))
            except OSError:
                s.close()
                continue
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port(kind=socket.SOCK_STREAM):
    return free_ports(1, kind)[0]


def http_get(port, path="/index.html", timeout=10.0):
    """GET from 127.0.0.1:port, retried while the container's server starts."""
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
                return r.read().decode()
        except OSError as e:
            last = e
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on 127.0.0.1:{port}: {last}")


def httpd(env, image, *run_args, text="hello from the container"):
    """A detached busybox httpd serving `text` at /index.html on port 80; returns the id."""
    script = f"echo '{text}' > /tmp/index.html && exec httpd -f -p 80 -h /tmp"
    return env.run("run", "-d", *run_args, image, "sh", "-c", script).out.strip()


class LoopbackServer:
    """A TCP server on the host's 127.0.0.1 that answers every connection with a fixed line."""

    def __init__(self, reply=b"host says hi\n"):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with c:
                c.sendall(self.reply)

    def close(self):
        self.sock.close()


# --- what the container sees ----------------------------------------------------------------------

@pytest.mark.solo
def test_default_network_is_slirp(env, bb):
    out = env.run("run", "--rm", "--name", "netbox", "--hostname", "nethost", bb, "sh", "-c",
                  "ip -o -4 addr show tap0; ip link show tap0; ip route; echo ---; cat /etc/resolv.conf;"
                  " echo ---; cat /etc/hosts").out
    addr, resolv, hosts = out.split("---\n")
    assert "inet 10.0.2.100/24" in addr
    assert "mtu 65520" in addr
    assert "default via 10.0.2.2 dev tap0" in addr
    assert resolv.splitlines()[0] == "nameserver 10.0.2.3"
    assert not any(l.startswith("nameserver 127.") for l in resolv.splitlines())
    assert "10.0.2.100\tnethost netbox" in hosts.splitlines()
    assert any(l.startswith("127.0.0.1\t") and "localhost" in l for l in hosts.splitlines())


def test_ipv6_from_router_advertisements(env, bb):
    # libslirp's router advertisements give tap0 an fd00::/64 address, without duplicate address
    # detection holding it back. libslirp comes with the container's first IPv4 traffic (here a
    # connection attempt to the gateway), and answers the router solicitation kept until then.
    out = env.run("run", "--rm", bb, "sh", "-c",
                  "nc -w 1 10.0.2.2 9 </dev/null 2>/dev/null;"
                  " for i in $(seq 50); do ip -6 addr show tap0 | grep -q 'inet6 fd00:' && break; sleep 0.1; done;"
                  " ip -6 addr show tap0; ip -6 route").out
    assert "inet6 fd00::" in out and "scope global" in out, out
    assert "tentative" not in out.split("inet6 fd00::")[1].splitlines()[0]
    out = env.run("run", "--rm", "--network", "slirp4netns:enable_ipv6=false", bb, "sh", "-c",
                  "nc -w 1 10.0.2.2 9 </dev/null 2>/dev/null; sleep 1; ip -6 addr show tap0").out
    assert "inet6 fd00::" not in out


def test_network_options_mtu_and_cidr(env, bb):
    out = env.run("run", "--rm", "--network", "slirp4netns:mtu=1500,cidr=10.44.0.0/16", bb, "sh", "-c",
                  "ip -o -4 addr show tap0; ip link show tap0; ip route; cat /etc/resolv.conf").out
    assert "inet 10.44.0.100/16" in out
    assert "mtu 1500" in out
    assert "default via 10.44.0.2" in out
    assert "nameserver 10.44.0.3" in out


@pytest.mark.solo
def test_network_none_has_only_loopback(env, bb):
    out = env.run("run", "--rm", "--network", "none", "--name", "nonet", bb, "sh", "-c",
                  "ip -o link | cut -d: -f2; echo ---; cat /etc/resolv.conf 2>&1; echo ---; cat /etc/hosts").out
    links, resolv, hosts = out.split("---\n")
    assert [l.strip() for l in links.splitlines()] == ["lo"]
    # Podman gives a container without a network no resolv.conf at all (busybox has none).
    assert "No such file" in resolv
    assert any(l.startswith("127.0.0.1\t") and l.endswith(" nonet") for l in hosts.splitlines()), hosts


def test_network_host_sees_the_hosts_interfaces(env, bb):
    out = env.run("run", "--rm", "--network", "host", bb, "ls", "/sys/class/net").out
    assert sorted(out.split()) == sorted(os.listdir("/sys/class/net"))
    hostname = socket.gethostname()
    assert env.run("run", "--rm", "--network", "host", bb, "hostname").out.strip() == hostname


def test_dns_hosts_and_hostname_options(env, bb):
    out = env.run("run", "--rm", "--dns", "10.9.9.9", "--dns-search", "corp.example", "--dns-option", "ndots:2",
                  "--add-host", "db.internal:10.1.2.3", "--hostname", "web1", bb, "sh", "-c",
                  "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; hostname; echo ---; cat /etc/hostname").out
    resolv, hosts, hostname, hostname_file = out.split("---\n")
    assert resolv == "search corp.example\nnameserver 10.9.9.9\noptions ndots:2\n"
    assert hosts.splitlines()[0] == "10.1.2.3\tdb.internal"
    assert hostname.strip() == "web1"
    assert hostname_file == "web1", "Podman writes /etc/hostname without a newline"
    res = env.run("run", "--rm", "--no-hosts", bb, "cat", "/etc/hosts", check=False)
    assert res.rc != 0 and "No such file" in res.err  # the image's own (busybox has none)


# --- the host's loopback and DNS --------------------------------------------------------------------

@pytest.mark.solo
def test_host_loopback_only_when_allowed(env, bb):
    srv = LoopbackServer()
    try:
        probe = f"nc -w 3 10.0.2.2 {srv.port} </dev/null"
        res = env.run("run", "--rm", bb, "sh", "-c", probe, check=False)
        assert "host says hi" not in res.out
        assert srv.connections == 0
        res = env.run("run", "--rm", "--network", "slirp4netns:allow_host_loopback=true", bb, "sh", "-c", probe)
        assert res.out == "host says hi\n"
        assert srv.connections == 1
    finally:
        srv.close()


@pytest.mark.skipif(len(TEST_DNS) != 3, reason="needs scripts/test.sh as root: a private /etc/resolv.conf naming "
                                                "a test resolver (BURROW_TEST_DNS); the host's own resolver is never asked")
def test_dns_through_the_forwarder(env, bb):
    resolver, name, address = TEST_DNS
    with open("/etc/resolv.conf") as f:
        servers = [l.split()[1] for l in f if l.startswith("nameserver")]
    assert servers == [resolver], f"refusing to run: /etc/resolv.conf names {servers}, not only the test resolver"
    # Asked the moment the container starts, in one attempt (-retry counts tries): the forwarder's first socket
    # must not be lost while libslirp is still being brought up.
    out = env.run("run", "--rm", bb, "nslookup", "-type=a", "-retry=1", name, "10.0.2.3").out
    assert address in out, out
    # ... and through the container's own resolv.conf, which names the forwarder first
    out = env.run("run", "--rm", bb, "nslookup", "-type=a", name).out
    assert address in out, out


# --- published ports ---------------------------------------------------------------------------------

@pytest.mark.solo
def test_publish_tcp_detached_with_port_ps_and_inspect(env, bb):
    port = free_port()
    cid = httpd(env, bb, "-p", f"127.0.0.1:{port}:80")
    assert http_get(port) == "hello from the container\n"
    assert env.run("port", cid).out == f"80/tcp -> 127.0.0.1:{port}\n"
    assert env.run("ps", "--format", "{{.Ports}}").out.strip() == f"127.0.0.1:{port}->80/tcp"
    data = json.loads(env.run("inspect", cid).out)[0]
    assert data["NetworkSettings"]["Ports"]["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": str(port)}]
    # many short connections, one after the other
    for _ in range(30):
        assert http_get(port) == "hello from the container\n"
    env.run("rm", "-f", "-t", "0", cid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_publish_foreground_run(env, bb):
    port = free_port()
    p = env.popen("run", "--rm", "-p", f"{port}:8080", bb, "sh", "-c",
                  "echo fg > /tmp/index.html; httpd -p 8080 -h /tmp; sleep 4")
    try:
        assert http_get(port) == "fg\n"
    finally:
        p.wait(timeout=30)
    assert p.returncode == 0


def test_publish_udp(env, deb):
    port = free_port(socket.SOCK_DGRAM)
    echo = ("use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => 5353, Proto => 'udp') or die;"
            " while ($s->recv(my $m, 2048)) { $s->send('echo:' . $m) }")
    env.run("run", "-d", "-p", f"127.0.0.1:{port}:5353/udp", deb, "perl", "-e", echo)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        got = None
        for _ in range(20):  # the server may not be up yet: datagrams are lost until it is
            s.sendto(b"ping", ("127.0.0.1", port))
            try:
                got = s.recvfrom(2048)[0]
                break
            except socket.timeout:
                continue
        assert got == b"echo:ping"
        # a second client address gets its own flow
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s2:
            s2.settimeout(3)
            s2.sendto(b"two", ("127.0.0.1", port))
            assert s2.recvfrom(2048)[0] == b"echo:two"


def test_two_containers_with_their_own_ports(env, bb):
    p1, p2 = free_ports(2)
    httpd(env, bb, "-p", f"{p1}:80", text="one")
    httpd(env, bb, "-p", f"{p2}:80", text="two")
    assert http_get(p1) == "one\n"
    assert http_get(p2) == "two\n"


def test_publish_all_exposed_ports(env, bb):
    cid = httpd(env, bb, "-P", "--expose", "80")
    lines = env.run("port", cid).out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("80/tcp -> 0.0.0.0:"), lines
    port = int(lines[0].rsplit(":", 1)[1])
    assert port != 80
    assert http_get(port) == "hello from the container\n"


def test_random_host_port(env, bb):
    cid = httpd(env, bb, "-p", "127.0.0.1::80")
    port = int(env.run("port", cid, "80").out.strip().rsplit(":", 1)[1])
    assert http_get(port) == "hello from the container\n"


def test_exec_and_restart_keep_the_network(env, bb):
    port = free_port()
    cid = httpd(env, bb, "-p", f"{port}:80")
    assert http_get(port) == "hello from the container\n"
    assert "inet 10.0.2.100/24" in env.run("exec", cid, "ip", "-o", "-4", "addr", "show", "tap0").out
    # The old supervisor lets go of the port before the exit is recorded: restarting at once
    # binds it again, every time.
    for _ in range(3):
        env.run("restart", "-t", "0", cid)
        assert http_get(port) == "hello from the container\n"
    assert "inet 10.0.2.100/24" in env.run("exec", cid, "ip", "-o", "-4", "addr", "show", "tap0").out


def test_slirp_port_handler(env, bb):
    port = free_port()
    httpd(env, bb, "--network", "slirp4netns:port_handler=slirp4netns", "-p", f"{port}:80")
    assert http_get(port) == "hello from the container\n"


def test_ports_discarded_without_a_network(env, bb):
    port = free_port()
    res = env.run("run", "--rm", "--network", "none", "-p", f"{port}:80", bb, "true")
    assert "Port mappings have been discarded" in res.err
    assert res.rc == 0


# --- errors ------------------------------------------------------------------------------------------

@pytest.mark.solo
def test_taken_host_port_leaves_nothing(env, bb):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    try:
        before = store_snapshot(env.root)
        for detach in ([], ["-d"]):
            res = env.run("run", *detach, "-p", f"127.0.0.1:{port}:80", bb, "true", check=False)
            assert_error(res, f"listen tcp 127.0.0.1:{port}: bind: address already in use")
        assert env.run("ps", "-a", "-q").out == ""
        assert_store_unchanged(before, env.root)
    finally:
        holder.close()


def test_port_taken_between_create_and_start(env, bb):
    port = free_port()
    cid = env.run("create", "-p", f"127.0.0.1:{port}:80", bb, "true").out.strip()
    holder = socket.socket()
    holder.bind(("127.0.0.1", port))
    holder.listen(1)
    try:
        assert_error(env.run("start", cid, check=False), "address already in use")
        assert env.run("ps", "-a", "--format", "{{.Status}}").out.strip() == "Created"
    finally:
        holder.close()
    env.run("start", cid)


def test_privileged_port_is_refused(env, bb):
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
        start = int(f.read())
    if start <= 80:
        pytest.skip(f"net.ipv4.ip_unprivileged_port_start is {start}: port 80 is not privileged here")
    before = store_snapshot(env.root)
    res = env.run("run", "--rm", "-p", "80:80", bb, "true", check=False)
    line = assert_error(res, "cannot expose privileged port 80", f"(currently {start})",
                        "listen tcp 0.0.0.0:80: bind: permission denied")
    assert "ip_unprivileged_port_start=80" in line
    assert_store_unchanged(before, env.root)


@pytest.mark.parametrize("value,words", [
    ("abc", "parsing container port: invalid port number"),
    ("70000:80", "port numbers must be between 1 and 65535 (inclusive), got 70000"),
    ("8080-8082:80-81", "host and container port ranges have different lengths: 3 vs 2"),
    ("8080:80/xyz", 'unrecognized protocol "xyz" in port mapping'),
])
def test_malformed_publish(env, bb, value, words):
    before = store_snapshot(env.root)
    assert_error(env.run("run", "--rm", "-p", value, bb, "true", check=False), words)
    assert_store_unchanged(before, env.root)


@pytest.mark.parametrize("mode,words", [
    ("bogus", "unable to find network with name or ID bogus: network not found"),
    ("slirp4netns:bogus=1", 'unknown option for slirp4netns: "bogus=1"'),
    ("slirp4netns:mtu=abc", 'invalid mtu "abc"'),
    ("slirp4netns:allow_host_loopback=maybe", "invalid value of allow_host_loopback"),
])
def test_bad_network_mode(env, bb, mode, words):
    before = store_snapshot(env.root)
    assert_error(env.run("run", "--rm", "--network", mode, bb, "true", check=False), words)
    assert_store_unchanged(before, env.root)


def test_no_tun_device_is_a_clear_error(env, bb):
    if os.access("/dev/net/tun", os.R_OK | os.W_OK):
        pytest.skip("/dev/net/tun is usable here (the case of a host where it is not cannot be made unprivileged)")
    assert_error(env.run("run", "--rm", bb, "true", check=False), "/dev/net/tun")


def test_libslirp_loads_with_the_first_traffic(env, bb):
    # A container that does not talk keeps a small supervisor: libslirp (and glib) are mapped
    # only once the container sends something that needs an answer.
    cid = env.run("run", "-d", bb, "sleep", "1000").out.strip()
    with open(os.path.join(env.root, "containers", cid, "state.json")) as f:
        sup = json.load(f)["supervisor_pid"]

    def mapped():
        with open(f"/proc/{sup}/maps") as f:
            return "libslirp" in f.read()

    time.sleep(0.5)  # the interface's own IPv6 chatter has been sent by now
    assert not mapped()
    env.run("exec", cid, "sh", "-c", "nc -w 1 10.0.2.2 9 </dev/null 2>/dev/null; true")
    assert mapped()
