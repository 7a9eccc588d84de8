"""registries.conf mirrors: tried before the image's own location; the stored name is the one
asked for. Everything on 127.0.0.1: port 1 is closed, standing for an unreachable registry."""
from conftest import ref

DEAD = "127.0.0.1:1"


def test_pull_through_a_mirror_keeps_the_requested_name(env, registry):
    env.write_registries_conf(f"""
[[registry]]
prefix = "{DEAD}"
insecure = true
[[registry.mirror]]
location = "{registry.host}"
insecure = true
""")
    res = env.run("pull", f"{DEAD}/busybox:latest")
    assert len(res.out.strip()) == 64
    names = env.run("images", "--format", "{{.Repository}}:{{.Tag}}").out.split()
    assert names == [f"{DEAD}/busybox:latest"]


def test_a_dead_mirror_falls_back_to_the_registry(env, registry):
    env.write_registries_conf(f"""
[[registry]]
prefix = "{registry.host}"
insecure = true
[[registry.mirror]]
location = "{DEAD}"
insecure = true
""")
    res = env.run("pull", ref(registry, "busybox"))
    assert "Failed to pull from mirror 127.0.0.1:1" in res.err
    names = env.run("images", "--format", "{{.Repository}}").out.split()
    assert names == [f"{registry.host}/busybox"]


def test_location_rewrite_keeps_the_requested_name(env, registry):
    env.write_registries_conf(f"""
[[registry]]
prefix = "example.test/lib"
location = "{registry.host}"
insecure = true
""")
    env.run("pull", "example.test/lib/busybox:latest")
    names = env.run("images", "--format", "{{.Repository}}:{{.Tag}}").out.split()
    assert names == ["example.test/lib/busybox:latest"]
