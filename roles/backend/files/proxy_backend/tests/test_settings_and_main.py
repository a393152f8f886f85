# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pytest

from proxy_backend import main as main_module
from proxy_backend.settings import Settings, SettingsError


def test_defaults():
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("0.0.0.0", 8000)
    assert settings.celery_queues == ("celery",)
    assert settings.service_name == "proxy-agent-backend"
    assert settings.otlp_traces_endpoint == "http://jaeger:4318/v1/traces" and settings.tracing_enabled
    assert settings.trace_sample_ratio == 1.0
    assert settings.database_url.startswith("postgresql+psycopg://")


def test_prefixed_variables():
    settings = Settings.from_env({
        "PROXY_BACKEND_PORT": "9000",
        "PROXY_BACKEND_DEBUG": "true",
        "PROXY_BACKEND_DATABASE_URL": "postgresql+psycopg://u:p@db:5432/app",
        "PROXY_BACKEND_DB_POOL_SIZE": "20",
        "PROXY_BACKEND_DB_POOL_TIMEOUT": "2.5",
        "PROXY_BACKEND_CELERY_QUEUES": " celery, emails ,",
        "PROXY_BACKEND_OTLP_TRACES_ENDPOINT": "",
    })
    assert settings.port == 9000 and settings.debug is True
    assert settings.db_pool_size == 20 and settings.db_pool_timeout == 2.5
    assert settings.celery_queues == ("celery", "emails")
    assert not settings.tracing_enabled


def test_standard_opentelemetry_variables():
    env = {"OTEL_SERVICE_NAME": "svc", "OTEL_TRACES_SAMPLER_ARG": "0.25",
           "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}
    settings = Settings.from_env(env)
    assert settings.service_name == "svc" and settings.trace_sample_ratio == 0.25
    assert settings.otlp_traces_endpoint == "http://collector:4318/v1/traces"
    env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://jaeger:4318/v1/traces"
    assert Settings.from_env(env).otlp_traces_endpoint == "http://jaeger:4318/v1/traces"
    env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = ""
    assert not Settings.from_env(env).tracing_enabled
    assert not Settings.from_env({"OTEL_SDK_DISABLED": "true"}).tracing_enabled


@pytest.mark.parametrize("env", [
    {"PROXY_BACKEND_PORT": "eighty"},
    {"PROXY_BACKEND_PORT": "70000"},
    {"PROXY_BACKEND_DEBUG": "maybe"},
    {"OTEL_TRACES_SAMPLER_ARG": "1.5"},
    {"PROXY_BACKEND_CELERY_QUEUES": "bad queue"},
    {"PROXY_BACKEND_CELERY_QUEUES": ","},
    {"PROXY_BACKEND_DB_POOL_SIZE": "0"},
    {"PROXY_BACKEND_SLOW_MAX_SECONDS": "-1"},
])
def test_invalid_values_are_refused(env):
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_main_runs_uvicorn_on_the_configured_address_without_access_log(monkeypatch, capsys):
    calls = []
    monkeypatch.setenv("PROXY_BACKEND_HOST", "127.0.0.1")
    monkeypatch.setenv("PROXY_BACKEND_PORT", "8123")
    monkeypatch.setenv("PROXY_BACKEND_DATABASE_URL", "sqlite+pysqlite:///:memory:")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
    monkeypatch.setattr(main_module.uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    monkeypatch.setattr(main_module, "create_app", lambda settings: ("app", settings))
    main_module.main()
    ((app, kwargs),) = calls
    assert app[0] == "app" and app[1].port == 8123
    assert kwargs["host"] == "127.0.0.1" and kwargs["port"] == 8123
    assert kwargs["access_log"] is False and kwargs["log_config"] is None


def test_main_exits_2_on_invalid_settings(monkeypatch, capsys):
    monkeypatch.setenv("PROXY_BACKEND_PORT", "x")
    with pytest.raises(SystemExit) as exited:
        main_module.main()
    assert exited.value.code == 2
    assert '"invalid_settings"' in capsys.readouterr().out


def test_the_database_url_can_come_from_a_file(tmp_path):
    secret = tmp_path / "database_url"
    secret.write_text("postgresql+psycopg://app:CANARY-pw@db:5432/app\n", encoding="utf-8")
    settings = Settings.from_env({"PROXY_BACKEND_DATABASE_URL_FILE": str(secret)})
    assert settings.database_url == "postgresql+psycopg://app:CANARY-pw@db:5432/app"


@pytest.mark.parametrize("content, extra, message", [
    (None, {}, "cannot be read"),
    ("  \n", {}, "is empty"),
    ("postgresql+psycopg://app:CANARY-pw@db/app", {"PROXY_BACKEND_DATABASE_URL": "postgresql+psycopg://x@db/x"},
     "both PROXY_BACKEND_DATABASE_URL and PROXY_BACKEND_DATABASE_URL_FILE are set"),
])
def test_a_bad_database_url_file_is_refused_without_showing_it(tmp_path, content, extra, message):
    secret = tmp_path / "database_url"
    if content is not None:
        secret.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        Settings.from_env(dict(extra, PROXY_BACKEND_DATABASE_URL_FILE=str(secret)))
    assert message in str(error.value) and "CANARY" not in str(error.value)


def test_the_redis_url_can_come_from_a_file(tmp_path):
    secret = tmp_path / "redis_url"
    secret.write_text("redis://:CANARY-pw@redis:6379/0", encoding="utf-8")
    assert Settings.from_env({"PROXY_BACKEND_REDIS_URL_FILE": str(secret)}).redis_url == "redis://:CANARY-pw@redis:6379/0"
