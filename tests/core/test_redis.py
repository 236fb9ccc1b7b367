from tests.conftest import run_wiesci


def test_cache_url_moves_the_cache_to_redis(product_env, redis_url):
    import redis

    product_env["WIESCI_CACHE_URL"] = redis_url
    script = (
        "from django.core.cache import cache; from django.conf import settings;"
        "cache.set('powodz', 'Odra', 60);"
        "print(settings.CACHES['default']['BACKEND'])"
    )
    result = run_wiesci("shell", "--no-imports", "-c", script, env=product_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache"
    client = redis.Redis.from_url(redis_url)
    assert any(b"powodz" in key for key in client.keys("*"))


def test_unreachable_redis_stops_serve_with_one_line(product_env):
    from servers.waiting import free_port

    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    product_env["WIESCI_CACHE_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    result = run_wiesci("serve", "--port", str(free_port()), env=product_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("wiesci: WIESCI_CACHE_URL: cannot use the cache")
