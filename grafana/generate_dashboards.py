#!/usr/bin/env python3
"""Generates grafana/dashboards/*.json. The JSON files are the provisioned artefacts; edit this script, then run
`python3 grafana/generate_dashboards.py` and commit both. Every panel query is also checked against a real Prometheus by
tests/integration/Observability/PrometheusScrapeTests.cs."""
import json
import os

DS = {"type": "prometheus", "uid": "prometheus"}
HERE = os.path.dirname(os.path.abspath(__file__))
SERIES_LABELS = ["provider", "venue", "instrument", "data_class", "market"]
# Every series filter, at every granularity. "All" is ".+" so that a label must be present: provider-level series that
# share a metric name but lack the series labels are never double counted.
S = ",".join(f'{l}=~"${l}"' for l in SERIES_LABELS)
I = 'instrument=~"$instrument",market=~"$market"'


def var(name, query, label=None):
    return {
        "name": name,
        "label": label or name,
        "type": "query",
        "datasource": DS,
        "query": {"query": query, "refId": f"{name}-var", "qryType": 1},
        "definition": query,
        "refresh": 2,
        "multi": True,
        "includeAll": True,
        "allValue": ".+",
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
    }


def series_vars(metric="cloudwall_md_update_rate"):
    out, prev = [], []
    for l in SERIES_LABELS:
        sel = ",".join(f'{p}=~"${p}"' for p in prev)
        out.append(var(l, f"label_values({metric}{{{sel}}}, {l})" if sel else f"label_values({metric}, {l})"))
        prev.append(l)
    return out


class Layout:
    def __init__(self):
        self.id = 0
        self.x = 0
        self.y = 0
        self.panels = []

    def row(self, title):
        if self.x:
            self.x, self.y = 0, self.y + 8
        self.id += 1
        self.panels.append({"id": self.id, "type": "row", "title": title, "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def panel(self, title, targets, unit="short", kind="timeseries", w=12, h=8, description="", thresholds=None,
              threshold_style=None, decimals=None):
        if self.x + w > 24:
            self.x, self.y = 0, self.y + h
        self.id += 1
        defaults = {"unit": unit, "custom": {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 0, "spanNulls": False}}
        if kind != "timeseries":
            defaults.pop("custom")
        if decimals is not None:
            defaults["decimals"] = decimals
        defaults["thresholds"] = thresholds or {"mode": "absolute", "steps": [{"color": "green", "value": None}]}
        if threshold_style:
            defaults["custom"]["thresholdsStyle"] = {"mode": threshold_style}
        self.panels.append({
            "id": self.id, "type": kind, "title": title, "description": description, "datasource": DS,
            "gridPos": {"h": h, "w": w, "x": self.x, "y": self.y},
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi", "sort": "desc"}} if kind == "timeseries" else {},
            "targets": [{"refId": chr(ord("A") + i), "datasource": DS, "expr": e, "legendFormat": lf, "range": True,
                         "instant": False} for i, (e, lf) in enumerate(targets)],
        })
        self.x += w
        if self.x >= 24:
            self.x, self.y = 0, self.y + h


def dashboard(uid, title, description, layout, variables, tags):
    return {
        "uid": uid, "title": title, "description": description, "tags": ["cloudwall"] + tags,
        "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": True, "graphTooltip": 1,
        "refresh": "5s", "time": {"from": "now-30m", "to": "now"},
        "templating": {"list": variables}, "annotations": {"list": []},
        "links": [{"type": "dashboards", "tags": ["cloudwall"], "asDropdown": True, "title": "Cloudwall"}],
        "panels": layout.panels,
    }


SRC = "{{provider}}/{{venue}} {{instrument}} {{data_class}}"


def overview():
    L = Layout()
    L.row("Flow")
    L.panel("Messages per second by source", [(f"sum by (provider, venue) (rate(cloudwall_md_messages_total{{{S}}}[$__rate_interval]))", "{{provider}}/{{venue}}")], "ops")
    L.panel("Update rate per series (last 1 s window)", [(f"cloudwall_md_update_rate{{{S}}}", SRC)], "ops")
    L.panel("Message age (seconds since newest exchange time)", [(f"max by (provider, venue, instrument, data_class) (cloudwall_md_message_age_seconds{{{S}}})", SRC)], "s",
            thresholds={"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": 30}]}, threshold_style="line")
    L.panel("Series exported and capped", [("cloudwall_md_series_exported", "exported"),
                                           ("sum by (reason) (rate(cloudwall_md_series_capped_total[$__rate_interval]))", "capped ({{reason}}) ≈ series dropped")], "short")
    L.row("Latency")
    L.panel("Exchange → receive p99 (per 1 s window)", [(f"max by (provider, venue, instrument) (cloudwall_md_latency_p99_seconds{{{S}}})", "{{provider}}/{{venue}} {{instrument}}")], "s",
            description="Per-window p99 from a log-linear histogram (within 6.25 %).")
    L.panel("Exchange → receive mean", [(f"sum by (provider, venue) (rate(cloudwall_md_latency_seconds_sum{{{S}}}[$__rate_interval])) / sum by (provider, venue) (rate(cloudwall_md_latency_seconds_count{{{S}}}[$__rate_interval]))", "{{provider}}/{{venue}}")], "s",
            description="Exact mean: _sum and _count of the histogram are exact (buckets place window means, not single messages).")
    L.panel("Receive → publish p99 (per 1 s window)", [(f"max by (provider, venue) (cloudwall_md_publish_latency_p99_seconds{{{S}}})", "{{provider}}/{{venue}}")], "s")
    L.panel("Receive → publish mean", [(f"sum by (provider, venue) (rate(cloudwall_md_publish_latency_seconds_sum{{{S}}}[$__rate_interval])) / sum by (provider, venue) (rate(cloudwall_md_publish_latency_seconds_count{{{S}}}[$__rate_interval]))", "{{provider}}/{{venue}}")], "s")
    L.row("Integrity")
    L.panel("Sequence gaps", [(f"sum by (provider, venue, instrument, data_class) (increase(cloudwall_md_sequence_gaps_total{{{S}}}[$__rate_interval]))", SRC)], "short")
    L.panel("Missing sequence numbers", [(f"sum by (provider, venue, instrument, data_class) (increase(cloudwall_md_missing_sequences_total{{{S}}}[$__rate_interval]))", SRC)], "short")
    L.panel("Fair price", [(f"cloudwall_md_fair_price{{{I}}}", "{{instrument}}")], "short", decimals=2)
    L.panel("Worst divergence from fair price (%)", [(f"max by (instrument) (abs(cloudwall_md_price_ratio{{{S}}} - 1)) * 100", "{{instrument}}")], "percent",
            thresholds={"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "orange", "value": 1}, {"color": "red", "value": 2}]}, threshold_style="line")
    return dashboard("cloudwall-overview", "Cloudwall · Market data overview",
                     "Per-series flow, freshness, latency and integrity from the 1 s series windows.", L, series_vars(), ["market-data"])


def comparison():
    L = Layout()
    L.row("Price")
    L.panel("Price by source, with the fair price", [(f"cloudwall_md_last_price{{{S}}}", SRC), (f"cloudwall_md_fair_price{{{I}}}", "fair {{instrument}}")], "short", w=24, h=10, decimals=2)
    L.panel("Price ratio to fair (±1 %, ±2 % lines)", [(f"cloudwall_md_price_ratio{{{S}}}", SRC)], "none", w=16, h=10, decimals=4,
            thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "orange", "value": 0.98}, {"color": "green", "value": 0.99},
                                                      {"color": "orange", "value": 1.01}, {"color": "red", "value": 1.02}]}, threshold_style="line+area",
            description="A source's last price over the instrument's fair price at the end of each 1 s window.")
    L.panel("Divergence now (%)", [(f"(cloudwall_md_price_ratio{{{S}}} - 1) * 100", SRC)], "percent", kind="bargauge", w=8, h=10,
            thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "orange", "value": -2}, {"color": "green", "value": -1},
                                                      {"color": "orange", "value": 1}, {"color": "red", "value": 2}]})
    L.row("Timeliness")
    L.panel("Exchange → receive p99 by source", [(f"cloudwall_md_latency_p99_seconds{{{S}}}", SRC)], "s")
    L.panel("Exchange → receive mean by source", [(f"rate(cloudwall_md_latency_seconds_sum{{{S}}}[$__rate_interval]) / rate(cloudwall_md_latency_seconds_count{{{S}}}[$__rate_interval])", SRC)], "s")
    L.panel("Update rate by source", [(f"cloudwall_md_update_rate{{{S}}}", SRC)], "ops")
    L.panel("Message age by source", [(f"cloudwall_md_message_age_seconds{{{S}}}", SRC)], "s")
    L.row("Integrity")
    L.panel("Sequence gaps by source", [(f"increase(cloudwall_md_sequence_gaps_total{{{S}}}[$__rate_interval])", SRC)], "short")
    L.panel("Active subscriptions by source", [(f"cloudwall_md_active_subscriptions{{{S}}}", SRC)], "short")
    return dashboard("cloudwall-provider-comparison", "Cloudwall · Provider comparison",
                     "The same instrument from every source: price, divergence from the fair price, latency, update rate, gaps and subscriptions.",
                     L, series_vars(), ["market-data"])


def kafka():
    L = Layout()
    T = 'topic=~"$topic"'
    L.row("Producer")
    L.panel("Records per second by topic and result", [(f"sum by (topic, result) (rate(cloudwall_kafka_produced_total{{{T}}}[$__rate_interval]))", "{{topic}} {{result}}")], "ops")
    L.panel("Bytes per second by topic", [(f"sum by (topic) (rate(cloudwall_kafka_produced_bytes_total{{{T}}}[$__rate_interval]))", "{{topic}}")], "Bps")
    L.panel("Delivery failures and drops", [(f'sum by (topic, result) (increase(cloudwall_kafka_produced_total{{{T},result=~"failed|dropped"}}[$__rate_interval]))', "{{topic}} {{result}}")], "short",
            thresholds={"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": 1}]}, threshold_style="line")
    L.panel("Delivered share", [(f'sum(rate(cloudwall_kafka_produced_total{{{T},result="delivered"}}[$__rate_interval])) / sum(rate(cloudwall_kafka_produced_total{{{T}}}[$__rate_interval]))', "delivered")], "percentunit", decimals=4)
    L.row("Pipeline")
    L.panel("Queue depth per partition", [('cloudwall_pipeline_queue_depth{partition=~"$partition"}', "partition {{partition}}")], "short")
    L.panel("Events dropped by full partitions", [("rate(cloudwall_pipeline_dropped_total[$__rate_interval])", "dropped/s")], "ops")
    variables = [var("topic", "label_values(cloudwall_kafka_produced_total, topic)"),
                 var("partition", "label_values(cloudwall_pipeline_queue_depth, partition)")]
    return dashboard("cloudwall-kafka-sink", "Cloudwall · Kafka sink", "The Kafka producer and the pricing pipeline's queues.", L, variables, ["kafka"])


for name, d in [("overview", overview()), ("provider-comparison", comparison()), ("kafka-sink", kafka())]:
    with open(os.path.join(HERE, "dashboards", name + ".json"), "w", encoding="utf-8") as f:
        json.dump(d, f, indent=2, ensure_ascii=False)
        f.write("\n")
