# Copyright (c) 2026 Proxy Agent Platform DevOps Team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Send one alert to every Alertmanager of the fleet the way Prometheus does, until a stop file appears.

Every INTERVAL seconds the same alert (same labels, same startsAt) goes to each Alertmanager's /api/v2/alerts with an
endsAt a minute ahead, as Prometheus resends a firing alert; an Alertmanager that is down (being replaced) is tried
again at the next round. Each attempt is logged as one line: time, URL, HTTP status or error.

    alert_sender.py --alertname NAME --stop-file PATH [--ca CA] [--user U --password-env VAR] URL...
"""
from __future__ import annotations

import argparse
import base64
import datetime
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alertname", required=True)
    parser.add_argument("--severity", default="warning")
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--ca")
    parser.add_argument("--user")
    parser.add_argument("--password-env", help="the environment variable that holds the password")
    parser.add_argument("urls", nargs="+", help="Alertmanager base URLs")
    args = parser.parse_args()

    context = ssl.create_default_context(cafile=args.ca) if args.ca else None
    headers = {"Content-Type": "application/json"}
    if args.user:
        secret = os.environ.get(args.password_env or "", "")
        headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % (args.user, secret)).encode()).decode()
    started = datetime.datetime.now(datetime.timezone.utc)
    deadline = time.monotonic() + args.max_seconds
    while not os.path.exists(args.stop_file) and time.monotonic() < deadline:
        now = datetime.datetime.now(datetime.timezone.utc)
        body = json.dumps([{
            "labels": {"alertname": args.alertname, "severity": args.severity, "service": "fleet-upgrade"},
            "annotations": {"summary": "sent to every Alertmanager throughout a rolling image change"},
            "startsAt": _stamp(started),
            "endsAt": _stamp(now + datetime.timedelta(seconds=60)),
        }]).encode()
        for url in args.urls:
            request = urllib.request.Request(url.rstrip("/") + "/api/v2/alerts", data=body, headers=headers,
                                             method="POST")
            try:
                with urllib.request.urlopen(request, timeout=3, context=context) as answer:  # nosec: test network
                    result = answer.status
            except urllib.error.HTTPError as error:
                result = error.code
            except (OSError, ValueError) as error:
                result = type(error).__name__
            print("%s %s %s" % (_stamp(now), url, result), flush=True)
        time.sleep(args.interval)
    return 0


if __name__ == "__main__":
    sys.exit(main())
