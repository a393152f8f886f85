# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""loki_config: loki.yaml for the Loki version family of the image, with schema migration.

Documents the expected configurations follow (checked key by key against the configuration references of Loki 2.9.0,
2.9.17, 3.0.0 and 3.7.6 when the filter was written):
  3.x  https://grafana.com/docs/loki/v3.7.x/configure/ and Loki's own cmd/loki/loki-local-config.yaml (v3.7.6)
  2.9  https://grafana.com/docs/loki/v2.9.x/configure/ and cmd/loki/loki-docker-config.yaml (v2.9.17)
  3.0 breaking changes  https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#300
  retention  https://grafana.com/docs/loki/v3.7.x/operations/storage/retention/ (and v2.9.x)
  schema changes  https://grafana.com/docs/loki/v3.7.x/operations/storage/schema/#changing-the-schema
"""
from __future__ import annotations

import copy
import datetime

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.proxy_agent.observability.plugins.filter.loki_config import (
    ADDED_IN_3,
    REMOVED_IN_3,
    loki_config,
)

TODAY = "2026-11-25"
TOMORROW = "2026-11-26"

TSDB_V13 = {"store": "tsdb", "object_store": "filesystem", "schema": "v13",
            "index": {"prefix": "index_", "period": "24h"}}

# The 3.x layout on a first deploy.
EXPECTED_3 = {
    "auth_enabled": False,
    "server": {"http_listen_port": 3100, "grpc_listen_port": 9096, "log_level": "info"},
    "common": {
        "instance_addr": "127.0.0.1",
        "path_prefix": "/loki",
        "storage": {"filesystem": {"chunks_directory": "/loki/chunks", "rules_directory": "/loki/rules"}},
        "replication_factor": 1,
        "ring": {"kvstore": {"store": "inmemory"}},
    },
    "schema_config": {"configs": [dict({"from": "2024-01-01"}, **TSDB_V13)]},
    # Retention by the compactor; delete_request_store is required with retention in 3.x
    # (https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#delete_request_store-should-be-explicitly-configured).
    "compactor": {"working_directory": "/loki/compactor", "compaction_interval": "10m", "retention_enabled": True,
                  "retention_delete_delay": "2h", "delete_request_store": "filesystem"},
    "limits_config": {"reject_old_samples": True, "reject_old_samples_max_age": "168h", "retention_period": "336h",
                      "allow_structured_metadata": True},
    # reporting_enabled defaults to true and sends usage reports to stats.grafana.org
    # (https://grafana.com/docs/loki/v3.7.x/configure/#analytics).
    "analytics": {"reporting_enabled": False},
}

# The seed's 2.9 configuration (seed guide, "Loki Configuration"), corrected: compactor retention instead of the
# table manager (https://grafana.com/docs/loki/v2.9.x/operations/storage/retention/), common.path_prefix for the
# WAL and compactor directories, no chunk_store_config.max_look_back_period.
SEED_PERIOD = {"from": "2024-01-01", "store": "boltdb-shipper", "object_store": "filesystem", "schema": "v11",
               "index": {"prefix": "index_", "period": "24h"}}
EXPECTED_29 = {
    "auth_enabled": False,
    "server": {"http_listen_port": 3100, "grpc_listen_port": 9096, "log_level": "info"},
    "common": {"path_prefix": "/loki"},
    "ingester": {
        "lifecycler": {"address": "127.0.0.1", "ring": {"kvstore": {"store": "inmemory"}, "replication_factor": 1},
                       "final_sleep": "0s"},
        "chunk_idle_period": "5m",
        "chunk_retain_period": "30s",
    },
    "schema_config": {"configs": [SEED_PERIOD]},
    "storage_config": {
        "boltdb_shipper": {"active_index_directory": "/loki/index", "cache_location": "/loki/index_cache",
                           "shared_store": "filesystem"},
        "filesystem": {"directory": "/loki/chunks"},
    },
    "compactor": {"working_directory": "/loki/compactor", "shared_store": "filesystem", "compaction_interval": "10m",
                  "retention_enabled": True, "retention_delete_delay": "2h"},
    "limits_config": {"enforce_metric_name": False, "reject_old_samples": True, "reject_old_samples_max_age": "168h",
                      "retention_period": "336h"},
    "analytics": {"reporting_enabled": False},
}

# The seed's schema_config as the role reads it back from the host (PyYAML turns the unquoted date into a date).
SEED_SCHEMA_YAML = """
schema_config:
  configs:
    - from: 2024-01-01
      store: boltdb-shipper
      object_store: filesystem
      schema: v11
      index:
        prefix: index_
        period: 24h
"""


def seed_schema():
    return yaml.safe_load(SEED_SCHEMA_YAML)["schema_config"]


def build(version="3.7.6", today=TODAY, **settings):
    existing = settings.pop("existing", None)
    return loki_config(settings, version, existing=existing, today=today)


# --- Good input -------------------------------------------------------------------------------------------------

def test_first_deploy_of_3x_gives_the_3x_layout():
    assert build() == EXPECTED_3


def test_first_deploy_of_29_gives_the_seeds_layout_corrected():
    assert build("2.9.17") == EXPECTED_29


@pytest.mark.parametrize("version, family", [
    ("3.7.6", EXPECTED_3), ("v3.7.6", EXPECTED_3), ("3.0.0", EXPECTED_3), ("3.7", EXPECTED_3),
    ("3.7.6-amd64", EXPECTED_3), ("2.9.17", EXPECTED_29), ("v2.9.0", EXPECTED_29), ("2.9.4", EXPECTED_29),
])
def test_the_image_version_picks_the_layout(version, family):
    assert build(version) == family


def test_settings_reach_their_keys():
    result = build(http_port=3200, log_level="warn", auth_enabled=True, retention_period="14d",
                   reject_old_samples=False, reject_old_samples_max_age="2w", data_dir="/var/lib/loki/",
                   schema_from="2025-03-01")
    assert result["auth_enabled"] is True
    assert result["server"] == {"http_listen_port": 3200, "grpc_listen_port": 9096, "log_level": "warn"}
    assert result["common"]["path_prefix"] == "/var/lib/loki"
    assert result["common"]["storage"]["filesystem"] == {"chunks_directory": "/var/lib/loki/chunks",
                                                         "rules_directory": "/var/lib/loki/rules"}
    assert result["compactor"]["working_directory"] == "/var/lib/loki/compactor"
    assert result["schema_config"]["configs"][0]["from"] == "2025-03-01"
    assert result["limits_config"] == {"reject_old_samples": False, "reject_old_samples_max_age": "2w",
                                       "retention_period": "14d", "allow_structured_metadata": True}


def test_none_means_the_default_and_a_date_object_is_a_date():
    assert build(http_port=None, retention_period=None, limits=None, overrides=None) == EXPECTED_3
    assert build(schema_from=datetime.date(2024, 1, 1), today=datetime.date(2026, 11, 25)) == EXPECTED_3


def test_zero_retention_keeps_logs_forever():
    # "a zero value of 0 or 0s disables retention" (https://grafana.com/docs/loki/v3.7.x/configure/#limits_config)
    assert build(retention_period="0s")["limits_config"]["retention_period"] == "0s"
    assert build("2.9.17", retention_period="0")["limits_config"]["retention_period"] == "0"


def test_limits_and_overrides_are_merged_last():
    result = build(limits={"max_query_series": 1000, "allow_structured_metadata": False},
                   overrides={"server": {"log_format": "json"}, "compactor": {"retention_delete_delay": "1h"},
                              "query_range": {"results_cache": {"cache": {"embedded_cache": {"enabled": True}}}}})
    assert result["server"] == {"http_listen_port": 3100, "grpc_listen_port": 9096, "log_level": "info",
                                "log_format": "json"}
    assert result["compactor"]["retention_delete_delay"] == "1h"
    assert result["compactor"]["delete_request_store"] == "filesystem"
    assert result["limits_config"]["max_query_series"] == 1000
    assert result["limits_config"]["allow_structured_metadata"] is False
    assert result["query_range"] == {"results_cache": {"cache": {"embedded_cache": {"enabled": True}}}}


def test_an_override_replaces_lists_and_scalars_whole():
    result = build(overrides={"common": {"ring": {"kvstore": {"store": "memberlist"}}},
                              "schema_config": {"configs": [dict({"from": "2025-01-01"}, **TSDB_V13)]}})
    assert result["common"]["ring"] == {"kvstore": {"store": "memberlist"}}
    assert result["schema_config"]["configs"] == [dict({"from": "2025-01-01"}, **TSDB_V13)]


def test_output_is_plain_and_the_input_is_left_alone():
    settings = {"limits": {"max_query_series": 1000}, "overrides": {"server": {"log_format": "json"}}}
    existing = seed_schema()
    before = copy.deepcopy((settings, existing))
    result = loki_config(settings, "3.7.6", existing=existing, today=TODAY)
    assert (settings, existing) == before
    assert yaml.safe_load(yaml.safe_dump(result)) == result
    result["limits_config"]["max_query_series"] = 1
    assert settings["limits"]["max_query_series"] == 1000


# --- Migration ------------------------------------------------------------------------------------------------------

def test_seed_host_upgraded_to_3x_keeps_its_period_and_gets_tsdb_from_tomorrow():
    # The new period must start in the future (https://grafana.com/docs/loki/v3.7.x/operations/storage/schema/
    # #changing-the-schema; https://grafana.com/docs/loki/v3.7.x/setup/migrate/migrate-to-tsdb/).
    result = build(existing=seed_schema())
    assert result["schema_config"] == {"configs": [SEED_PERIOD, dict({"from": TOMORROW}, **TSDB_V13)]}
    # The boltdb-shipper period keeps the directories the 2.9 layout gave its index, without shared_store.
    assert result["storage_config"] == {"boltdb_shipper": {"active_index_directory": "/loki/index",
                                                           "cache_location": "/loki/index_cache"}}
    # Until the tsdb/v13 period starts, Loki 3 would refuse structured metadata
    # (https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#structured-metadata-open-telemetry-schemas-and-indexes).
    assert result["limits_config"]["allow_structured_metadata"] is False
    expected = copy.deepcopy(EXPECTED_3)
    expected["schema_config"] = result["schema_config"]
    expected["storage_config"] = result["storage_config"]
    expected["limits_config"]["allow_structured_metadata"] = False
    assert result == expected


def test_second_run_on_the_same_day_gives_the_same_config():
    first = build(existing=seed_schema())
    assert build(existing=first["schema_config"]) == first


@pytest.mark.parametrize("later", [TOMORROW, "2026-12-24", "2027-06-01"])
def test_second_run_on_a_later_date_gives_the_same_schema_config(later):
    first = build(existing=seed_schema())
    second = build(existing=first["schema_config"], today=later)
    assert second["schema_config"] == first["schema_config"]
    # The only change: structured metadata is turned on once the tsdb/v13 period is active.
    assert second["limits_config"]["allow_structured_metadata"] is True
    first["limits_config"]["allow_structured_metadata"] = True
    assert second == first
    # and from then on nothing changes
    assert build(existing=second["schema_config"], today="2028-01-01") == second


def test_run_after_the_migration_from_a_yaml_round_trip_is_stable():
    first = build(existing=seed_schema())
    read_back = yaml.safe_load(yaml.safe_dump(first))["schema_config"]
    assert build(existing=read_back) == first


def test_3x_history_of_tsdb_v13_is_never_rewritten():
    existing = {"configs": [dict({"from": "2023-05-01"}, **dict(TSDB_V13, schema="v12")),
                            {"from": "2024-06-01", "store": "tsdb", "object_store": "filesystem", "schema": "v13",
                             "index": {"prefix": "loki_index_", "period": "24h", "path_prefix": "index/"}}]}
    result = build(existing=copy.deepcopy(existing), schema_from="2020-01-01")
    assert result["schema_config"] == existing
    assert "storage_config" not in result
    assert result["limits_config"]["allow_structured_metadata"] is True


def test_a_last_period_other_than_tsdb_v13_gets_one_appended():
    existing = {"configs": [dict({"from": "2024-01-01"}, **TSDB_V13),
                            dict({"from": "2025-01-01"}, **dict(TSDB_V13, schema="v12"))]}
    assert build(existing=copy.deepcopy(existing))["schema_config"]["configs"] == \
        existing["configs"] + [dict({"from": TOMORROW}, **TSDB_V13)]


def test_the_new_period_starts_after_a_last_period_that_is_still_ahead():
    existing = {"configs": [SEED_PERIOD, dict(SEED_PERIOD, **{"from": "2026-12-01", "schema": "v12"})]}
    configs = build(existing=copy.deepcopy(existing))["schema_config"]["configs"]
    assert configs[-1] == dict({"from": "2026-12-02"}, **TSDB_V13)


def test_29_keeps_existing_periods_as_they_are():
    existing = {"configs": [SEED_PERIOD, dict({"from": "2025-01-01"}, **TSDB_V13)]}
    result = build("2.9.17", existing=copy.deepcopy(existing))
    assert result["schema_config"] == existing
    assert build("2.9.17", existing=seed_schema()) == EXPECTED_29


def test_empty_existing_is_a_first_deploy():
    assert build(existing={}) == EXPECTED_3
    assert build(existing={"configs": []}) == EXPECTED_3


def test_today_defaults_to_the_controllers_utc_date():
    before = datetime.datetime.now(datetime.timezone.utc).date()
    configs = loki_config({}, "3.7.6", existing=seed_schema())["schema_config"]["configs"]
    after = datetime.datetime.now(datetime.timezone.utc).date()
    assert configs[-1]["from"] in {(day + datetime.timedelta(days=1)).isoformat() for day in (before, after)}


# --- Version-family tables --------------------------------------------------------------------------------------

def test_every_family_entry_names_its_document():
    for entry in REMOVED_IN_3 + ADDED_IN_3:
        assert entry[1].startswith("https://grafana.com/docs/loki/v3.7.x/"), entry


@pytest.mark.parametrize("path", [entry[0] for entry in REMOVED_IN_3])
def test_every_option_removed_in_3_is_accepted_by_29_and_refused_by_3(path):
    overrides = value = {}
    for part in path.split("."):
        value[part] = {}
        last, value = value, value[part]
    last[part] = "x"
    assert build("2.9.17", overrides=overrides)
    with pytest.raises(AnsibleFilterError, match=r"was removed in Loki 3\.0"):
        build("3.7.6", overrides=overrides)


@pytest.mark.parametrize("path", [entry[0] for entry in ADDED_IN_3])
def test_every_option_added_in_3_is_refused_by_29(path):
    overrides = value = {}
    parts = path.split(".")
    for index, part in enumerate(parts):
        if part == "[]":
            continue
        child = [{}] if index + 1 < len(parts) and parts[index + 1] == "[]" else {}
        value[part] = child
        last, value = value, child[0] if isinstance(child, list) else child
    last[part] = "x"
    with pytest.raises(AnsibleFilterError, match=r"exists only in Loki 3\.x"):
        build("2.9.17", overrides=overrides)


def test_options_in_both_families_pass_either_way():
    # delete_request_store and allow_structured_metadata are in 2.9's configuration reference too
    # (https://grafana.com/docs/loki/v2.9.x/configure/#compactor, #limits_config); tsdb/v13 exists in 2.9.
    overrides = {"compactor": {"delete_request_store": "filesystem"}, "table_manager": {"poll_interval": "2m"}}
    limits = {"allow_structured_metadata": False, "deletion_mode": "filter-and-delete"}
    for version in ("2.9.17", "3.7.6"):
        result = build(version, overrides=overrides, limits=limits)
        assert result["compactor"]["delete_request_store"] == "filesystem"
        assert result["limits_config"]["allow_structured_metadata"] is False


# --- Bad input ------------------------------------------------------------------------------------------------------

UPGRADE = "https://grafana.com/docs/loki/v3.7.x/setup/upgrade/"
VERSION_FIX = "Fix: set loki_version to the Loki version your image runs, e.g. '3.7.6'"
BAD_INPUT = [
    ("tag-not-a-version", {"version": "main-abc123"},
     "loki_version: 'main-abc123' is not a Loki version. " + VERSION_FIX),
    ("tag-latest", {"version": "latest"}, "loki_version: 'latest' is not a Loki version. " + VERSION_FIX),
    ("version-as-number", {"version": 3.7},
     "loki_version: 3.7 is not a Loki version (a number: quote it in YAML). " + VERSION_FIX),
    ("version-2.8", {"version": "2.8.11"},
     "loki_version: Loki 2.8.11 is not supported: this collection writes configurations for Loki 2.9.x and 3.x. "
     + VERSION_FIX),
    ("version-4", {"version": "4.0.0"},
     "loki_version: Loki 4.0.0 is not supported: this collection writes configurations for Loki 2.9.x and 3.x. "
     + VERSION_FIX),
    # 2.9-only options with a 3.x version (https://grafana.com/docs/loki/v3.7.x/setup/upgrade/#300)
    ("shared-store-with-3", {"overrides": {"storage_config": {"boltdb_shipper": {"shared_store": "filesystem"}}}},
     "loki_config_overrides.storage_config.boltdb_shipper.shared_store: was removed in Loki 3.0, and Loki 3.7.6 does "
     "not start with it (" + UPGRADE + "#removed-shared_store-and-shared_store_key_prefix-from-shipper-configuration)"
     ". Fix: remove it: Loki 3 keeps the index in the object_store of each schema period"),
    ("compactor-shared-store-with-3", {"overrides": {"compactor": {"shared_store": "filesystem"}}},
     "loki_config_overrides.compactor.shared_store: was removed in Loki 3.0, and Loki 3.7.6 does not start with it ("
     + UPGRADE + "#removed-shared_store-and-shared_store_key_prefix-from-compactor-configuration). Fix: remove it: "
     "the compactor works on every object store of the schema periods"),
    ("deletion-mode-with-3", {"overrides": {"compactor": {"deletion_mode": "filter-only"}}},
     "loki_config_overrides.compactor.deletion_mode: was removed in Loki 3.0, and Loki 3.7.6 does not start with it ("
     + UPGRADE + "#deprecated-configuration-options-are-removed). Fix: set limits_config.deletion_mode instead"),
    ("enforce-metric-name-in-limits-with-3", {"limits": {"enforce_metric_name": False}},
     "loki_limits.enforce_metric_name: was removed in Loki 3.0, and Loki 3.7.6 does not start with it (" + UPGRADE
     + "#deprecated-configuration-options-are-removed). Fix: remove it"),
    ("max-transfer-retries-with-3", {"version": "v3.0.0", "overrides": {"ingester": {"max_transfer_retries": 0}}},
     "loki_config_overrides.ingester.max_transfer_retries: was removed in Loki 3.0, and Loki v3.0.0 does not start "
     "with it (" + UPGRADE + "#ingester-configuration-max_transfer_retries-is-removed). Fix: remove it: the "
     "write-ahead log replaces it"),
    # 3.x-only options with a 2.9 version (in https://grafana.com/docs/loki/v3.7.x/configure/, not in v2.9.x)
    ("delete-request-prefix-with-29",
     {"version": "2.9.17", "overrides": {"compactor": {"delete_request_store_key_prefix": "index/"}}},
     "loki_config_overrides.compactor.delete_request_store_key_prefix: exists only in Loki 3.x, and Loki 2.9.17 does "
     "not start with it (" + UPGRADE + "#delete_request_store-should-be-explicitly-configured). Fix: remove it, or "
     "set loki_version to the 3.x version your image runs"),
    ("discover-service-name-in-limits-with-29", {"version": "2.9.17", "limits": {"discover_service_name": []}},
     "loki_limits.discover_service_name: exists only in Loki 3.x, and Loki 2.9.17 does not start with it (" + UPGRADE
     + "#service_name-label). Fix: remove it, or set loki_version to the 3.x version your image runs"),
    ("index-path-prefix-with-29",
     {"version": "2.9.17", "overrides": {"schema_config": {"configs": [
         SEED_PERIOD, dict({"from": "2025-01-01"}, **dict(TSDB_V13, index={"period": "24h", "path_prefix": "i/"}))]}}},
     "loki_config_overrides.schema_config.configs[1].index.path_prefix: exists only in Loki 3.x, and Loki 2.9.17 does "
     "not start with it (" + UPGRADE + "#removed-shared_store-and-shared_store_key_prefix-from-shipper-configuration)"
     ". Fix: remove it, or set loki_version to the 3.x version your image runs"),
    # What Loki 3 refuses at start-up
    ("retention-without-delete-store", {"overrides": {"compactor": {"delete_request_store": ""}}},
     "loki_config_overrides.compactor.delete_request_store: retention is enabled (compactor.retention_enabled) "
     "without a delete_request_store, and Loki 3 does not start then (" + UPGRADE + "#delete_request_store-should-be-"
     "explicitly-configured). Fix: set compactor.delete_request_store to the object store of your schema periods, "
     "e.g. 'filesystem', or remove your override of it"),
    ("structured-metadata-before-the-tsdb-period",
     {"existing": "seed", "overrides": {"limits_config": {"allow_structured_metadata": True}}},
     "loki_config_overrides.limits_config.allow_structured_metadata: is true, but the schema period active on "
     "2026-11-25 (from 2024-01-01) is boltdb-shipper/v11, and Loki 3 starts with structured metadata only when the "
     "active period is tsdb with schema v13 (" + UPGRADE + "#structured-metadata-open-telemetry-schemas-and-indexes)"
     ". Fix: remove it: this filter turns structured metadata on once the tsdb/v13 period has started"),
    ("structured-metadata-in-limits", {"existing": "seed", "limits": {"allow_structured_metadata": True}},
     "loki_limits.allow_structured_metadata: is true, but the schema period active on 2026-11-25 (from 2024-01-01) is "
     "boltdb-shipper/v11, and Loki 3 starts with structured metadata only when the active period is tsdb with schema "
     "v13 (" + UPGRADE + "#structured-metadata-open-telemetry-schemas-and-indexes). Fix: remove it: this filter "
     "turns structured metadata on once the tsdb/v13 period has started"),
    # Durations and retention
    ("retention-not-a-duration", {"retention_period": "14 days"},
     "loki_retention_period: '14 days' is not a Loki duration. Fix: write a number with a unit, largest unit first, "
     "e.g. '336h', '14d' or '2w' (units: y, w, d, h, m, s, ms)"),
    ("retention-units-out-of-order", {"retention_period": "12h1d"},
     "loki_retention_period: '12h1d' is not a Loki duration. Fix: write a number with a unit, largest unit first, "
     "e.g. '336h', '14d' or '2w' (units: y, w, d, h, m, s, ms)"),
    ("max-age-fraction", {"version": "2.9.17", "reject_old_samples_max_age": "1.5h"},
     "loki_reject_old_samples_max_age: '1.5h' is not a Loki duration. Fix: write a number with a unit, largest unit "
     "first, e.g. '336h', '14d' or '2w' (units: y, w, d, h, m, s, ms)"),
    ("retention-shorter-than-index-period", {"retention_period": "12h"},
     "loki_retention_period: '12h' is shorter than the 24h index period: Loki's compactor applies retention to whole "
     "daily index tables and its minimum retention period is 24h. Fix: set at least '24h' (e.g. '336h' for 14 days), "
     "or '0s' to keep logs forever"),
    ("retention-just-short", {"version": "2.9.17", "retention_period": "23h59m"},
     "loki_retention_period: '23h59m' is shorter than the 24h index period: Loki's compactor applies retention to "
     "whole daily index tables and its minimum retention period is 24h. Fix: set at least '24h' (e.g. '336h' for 14 "
     "days), or '0s' to keep logs forever"),
    ("max-age-zero", {"reject_old_samples_max_age": "0s"},
     "loki_reject_old_samples_max_age: must be longer than zero. Fix: give the age beyond which log lines are "
     "rejected, e.g. '168h', or set loki_reject_old_samples to false"),
    # Settings
    ("limits-fighting-a-setting", {"limits": {"retention_period": "720h"}},
     "loki_limits.retention_period: is set by loki_retention_period. Fix: set loki_retention_period instead and "
     "remove it from loki_limits"),
    ("overrides-not-a-mapping", {"overrides": ["server"]},
     "loki_config_overrides: must be a mapping in Loki's configuration schema, got list. Fix: write it like "
     "{'limits_config': {'max_query_series': 1000}}"),
    ("schema-override-not-a-mapping", {"overrides": {"schema_config": []}},
     "loki_config_overrides.schema_config: must be a mapping with a configs list, got list. Fix: write it like "
     "{'configs': [{'from': '2024-01-01', 'store': 'tsdb', ...}]}, or leave schema_config to this filter"),
    ("http-port", {"http_port": 70000}, "http_port: 70000 is not a port. Fix: give a port from 1 to 65535"),
    ("log-level", {"log_level": "verbose"},
     "loki_log_level: 'verbose' is not a Loki log level. Fix: use one of debug, info, warn, error"),
    ("auth-enabled-string", {"auth_enabled": "yes"},
     "loki_auth_enabled: must be true or false, got string 'yes'. Fix: write true or false, unquoted"),
    ("data-dir-relative", {"data_dir": "loki"},
     "data_dir: 'loki' is not an absolute path. Fix: give the directory as Loki sees it in its container, "
     "e.g. '/loki'"),
    ("unknown-setting", {"retention": "336h"},
     "settings: 'retention' is not a setting of loki_config. Fix: use auth_enabled, data_dir, http_port, limits, "
     "log_level, overrides, reject_old_samples, reject_old_samples_max_age, retention_period, schema_from"),
    # Dates and the existing schema
    ("schema-from-in-the-future", {"schema_from": "2026-11-26"},
     "loki_schema_from: 2026-11-26 is after today (2026-11-25): Loki would have no schema period for the data it "
     "receives now. Fix: use a date in the past for a first deploy, e.g. '2024-01-01'"),
    ("schema-from-not-a-date", {"schema_from": "01/01/2024"},
     "loki_schema_from: '01/01/2024' is not a date. Fix: write loki_schema_from as 'YYYY-MM-DD', e.g. '2024-01-01'"),
    ("schema-from-not-a-date-with-existing", {"schema_from": "2024-13-01", "existing": "seed"},
     "loki_schema_from: '2024-13-01' is not a date. Fix: write loki_schema_from as 'YYYY-MM-DD', e.g. '2024-01-01'"),
    ("today-not-a-date", {"today": "tomorrow"},
     "today: 'tomorrow' is not a date. Fix: write today as 'YYYY-MM-DD', e.g. '2024-01-01'"),
    ("existing-is-the-whole-config", {"existing": {"auth_enabled": False, "schema_config": {"configs": []}}},
     "existing: has no configs list (it looks like the whole configuration). Fix: pass the schema_config of the Loki "
     "configuration on the host (a mapping with a configs list), or nothing on a first deploy"),
    ("existing-out-of-order", {"existing": {"configs": [dict(SEED_PERIOD, **{"from": "2025-01-01"}), SEED_PERIOD]}},
     "existing.configs[1].from: 2024-01-01 is not after the previous period's 2025-01-01; Loki requires increasing "
     "dates. Fix: list the periods in order of their from dates, each date once"),
    ("existing-period-without-from", {"existing": {"configs": [{"store": "tsdb"}]}},
     "existing.configs[0]: is not a schema period (a mapping with from, store, object_store, schema, index). Fix: "
     "give the periods exactly as they are in the Loki configuration"),
]


@pytest.mark.parametrize("kwargs, message", [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT])
def test_bad_input_names_the_variable_and_the_fix(kwargs, message):
    kwargs = dict(kwargs)
    if kwargs.get("existing") == "seed":
        kwargs["existing"] = seed_schema()
    with pytest.raises(AnsibleFilterError) as error:
        build(**kwargs)
    assert str(error.value) == message


def test_settings_must_be_a_mapping():
    with pytest.raises(AnsibleFilterError) as error:
        loki_config("retention_period=336h", "3.7.6", today=TODAY)
    assert str(error.value) == ("settings: must be a mapping of the loki role's settings, got string. Fix: pass a "
                                "mapping like {'retention_period': '336h'}")
