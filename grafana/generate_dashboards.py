#!/usr/bin/env python3
"""Generates grafana/dashboards/*.json. The JSON files are the provisioned artefacts; edit this script, then run
`python3 grafana/generate_dashboards.py` and commit both. Every panel query and variable is run against a real Prometheus
holding 15 s-step series of a real run by tests/integration/Observability/PrometheusQueryTests.cs."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# Every panel reads the datasource variable; the provisioned datasource (uid "prometheus") is its default.
DS = {"type": "prometheus", "uid": "${datasource}"}
# Drill-down order: provider -> venue -> data class -> instrument (market last: it follows from the instrument).
SERIES_LABELS = ["provider", "venue", "data_class", "instrument", "market"]
SERIES_BY = ", ".join(SERIES_LABELS)
# Scrape targets: several pods export the same provider-level and Kafka series, so panels aggregate over them.
TARGET = 'job=~"$job",pod=~"$pod",instance=~"$instance"'
# Every series filter, at every granularity. "All" is ".+" so that a label must be present: provider-level series that
# share a metric name but lack the series labels are never double counted.
S = ",".join(f'{l}=~"${l}"' for l in SERIES_LABELS) + "," + TARGET
# Provider-level series (PlatformMetrics) are filtered by provider only: their venue is the provider's own (an aggregator
# provider's is "aggregator"), not the venues its series carry.
P = f'provider=~"$provider",{TARGET}'
I = f'instrument=~"$instrument",market=~"$market",{TARGET}'
# A metric every role exports (unlabelled, so always present): the source of the target variables.
TARGET_METRIC = "cloudwall_md_series_exported"


def var(name, query, label=None, all_value=".+", multi=True):
    v = {
        "name": name,
        "label": label or name,
        "type": "query",
        "datasource": DS,
        "query": {"query": query, "refId": f"{name}-var", "qryType": 1},
        "definition": query,
        "refresh": 2,
        "multi": multi,
        "includeAll": True,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
    }
    if all_value is not None:
        v["allValue"] = all_value
    return v


def target_vars():
    """The datasource, then job -> pod -> instance. job's "All" is every job found (never every target of the
    Prometheus); pod and instance match a missing label too (pod exists only on Kubernetes)."""
    return [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "refresh": 1,
         "current": {"selected": True, "text": "Prometheus", "value": "prometheus"}, "hide": 0},
        var("job", f"label_values({TARGET_METRIC}, job)", all_value=None),
        var("pod", f'label_values({TARGET_METRIC}{{job=~"$job"}}, pod)', all_value=".*"),
        var("instance", f'label_values({TARGET_METRIC}{{job=~"$job",pod=~"$pod"}}, instance)', all_value=".*"),
    ]


def series_vars(metric="cloudwall_md_update_rate"):
    """provider -> venue -> data_class -> instrument -> market, each chained on the ones before and on the targets."""
    out, prev = target_vars(), []
    for l in SERIES_LABELS:
        sel = ",".join([f'{p}=~"${p}"' for p in prev] + [TARGET])
        out.append(var(l, f"label_values({metric}{{{sel}}}, {l})"))
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

    def _place(self, w, h):
        if self.x + w > 24:
            self.x, self.y = 0, self.y + h
        self.id += 1
        pos = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        if self.x >= 24:
            self.x, self.y = 0, self.y + h
        return pos

    def panel(self, title, targets, unit="short", kind="timeseries", w=12, h=8, description="", thresholds=None,
              threshold_style=None, decimals=None):
        pos = self._place(w, h)
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
            "gridPos": pos,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom", "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi", "sort": "desc"}} if kind == "timeseries" else {},
            "targets": [{"refId": chr(ord("A") + i), "datasource": DS, "expr": e, "legendFormat": lf, "range": True,
                         "instant": False} for i, (e, lf) in enumerate(targets)],
        })

    def alert_list(self, title, label_filter, w=24, h=8, description=""):
        """Grafana's own alert list (Grafana-managed and datasource-managed alert instances); it runs no PromQL."""
        pos = self._place(w, h)
        self.panels.append({
            "id": self.id, "type": "alertlist", "title": title, "description": description, "gridPos": pos,
            "options": {"viewMode": "list", "groupMode": "default", "groupBy": [], "maxItems": 50, "sortOrder": 1,
                        "dashboardAlerts": False, "alertName": "", "alertInstanceLabelFilter": label_filter,
                        "datasource": "", "folder": None,
                        "stateFilter": {"firing": True, "pending": True, "noData": True, "normal": False, "error": True}},
        })


def link(uid, title):
    """A link to another dashboard by uid that carries the time range and the variables (the drill-down)."""
    return {"type": "link", "title": title, "url": f"/d/{uid}", "includeVars": True, "keepTime": True,
            "asDropdown": False, "icon": "dashboard", "tags": [], "targetBlank": False, "tooltip": ""}


UIDS = {"quality": "cloudwall-md", "overview": "cloudwall-overview", "comparison": "cloudwall-provider-comparison",
        "kafka": "cloudwall-kafka-sink"}


def dashboard(uid, title, description, layout, variables, tags):
    links = [{"type": "dashboards", "tags": ["cloudwall"], "asDropdown": True, "title": "Cloudwall"}]
    links += [link(u, t) for t, u in [("Data quality", UIDS["quality"]), ("Provider comparison", UIDS["comparison"])] if u != uid]
    return {
        "uid": uid, "title": title, "description": description, "tags": ["cloudwall"] + tags,
        "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": True, "graphTooltip": 1,
        "refresh": "30s", "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": variables}, "annotations": {"list": []},
        "links": links,
        "panels": layout.panels,
    }


SRC = "{{provider}}/{{venue}} {{instrument}} {{data_class}}"
PVL = "{{provider}}/{{venue}}"
AGE_THRESHOLDS = {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": 30}]}
DIVERGENCE_THRESHOLDS = {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "orange", "value": 1}, {"color": "red", "value": 2}]}


def mean(metric, sel, by):
    """The exact mean of a window-weighted histogram: rate of _sum over rate of _count, summed over pods."""
    return (f"sum by ({by}) (rate({metric}_sum{{{sel}}}[$__rate_interval])) / "
            f"sum by ({by}) (rate({metric}_count{{{sel}}}[$__rate_interval]))")


def quality():
    """The data-quality overview: per provider and venue, drillable to data class and instrument. Slack alerts link here
    (Quality:Alerts:Slack:GrafanaUrlTemplate: /d/cloudwall-md?var-provider=…&var-venue=…&var-instrument=…)."""
    L = Layout()
    L.row("Per provider and venue")
    L.panel("Update rate", [(f"sum by (provider, venue) (cloudwall_md_update_rate{{{S}}})", PVL)], "ops",
            description="Events per second over the last statistics window, summed over the selected series.")
    L.panel("Exchange → receive latency (mean, and worst series p99)",
            [(mean("cloudwall_md_latency_seconds", S, "provider, venue"), "mean " + PVL),
             (f"max by (provider, venue) (cloudwall_md_latency_p99_seconds{{{S}}})", "p99 " + PVL)], "s")
    L.panel("Worst divergence from the fair price (%)", [(f"max by (provider, venue) (abs(cloudwall_md_price_ratio{{{S}}} - 1)) * 100", PVL)], "percent",
            thresholds=DIVERGENCE_THRESHOLDS, threshold_style="line",
            description="|price / fair − 1| of the selected series; MarketDataPriceDivergence fires above 1 %.")
    L.panel("Active subscriptions", [(f"sum by (provider, venue) (max by ({SERIES_BY}) (cloudwall_md_active_subscriptions{{{S}}}))", PVL)], "short")
    L.panel("Sequence gaps and missing sequence numbers",
            [(f"sum by (provider, venue) (increase(cloudwall_md_sequence_gaps_total{{{S}}}[$__rate_interval]))", "gaps " + PVL),
             (f"sum by (provider, venue) (increase(cloudwall_md_missing_sequences_total{{{S}}}[$__rate_interval]))", "missing " + PVL)], "short")
    L.panel("Message age (oldest selected series)", [(f"max by (provider, venue) (min by ({SERIES_BY}) (cloudwall_md_message_age_seconds{{{S}}}))", PVL)], "s",
            thresholds=AGE_THRESHOLDS, threshold_style="line",
            description="Seconds since the newest exchange time; MarketDataNoData fires after 1 m above 30 s.")
    L.row("Open alerts")
    L.panel("Firing alerts by source (Prometheus rules)",
            [(f'sum by (alertname, provider, venue) (ALERTS{{alertstate="firing",provider=~"$provider",venue=~"$venue"}})', "{{alertname}} " + PVL)], "short",
            description="Prometheus's ALERTS series of the rules in grafana/prometheus (docs/runbook.md has a section per alert).")
    L.alert_list("Open alerts (Grafana)", '{provider=~"$provider", venue=~"$venue"}', w=12)
    L.row("Per instrument (drill down with the variables)")
    L.panel("Price ratio to fair", [(f"max by ({SERIES_BY}) (cloudwall_md_price_ratio{{{S}}})", SRC)], "none", decimals=4,
            thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "orange", "value": 0.98}, {"color": "green", "value": 0.99},
                                                      {"color": "orange", "value": 1.01}, {"color": "red", "value": 1.02}]}, threshold_style="line")
    L.panel("Update rate", [(f"max by ({SERIES_BY}) (cloudwall_md_update_rate{{{S}}})", SRC)], "ops")
    L.panel("Exchange → receive p99", [(f"max by ({SERIES_BY}) (cloudwall_md_latency_p99_seconds{{{S}}})", SRC)], "s")
    L.panel("Sequence gaps", [(f"sum by ({SERIES_BY}) (increase(cloudwall_md_sequence_gaps_total{{{S}}}[$__rate_interval]))", SRC)], "short")
    return dashboard(UIDS["quality"], "Cloudwall · Data quality",
                     "Per provider and venue: update rate, latency, price ratio to the fair price, subscriptions, gaps and open alerts; "
                     "drill down provider → venue → data class → instrument with the variables.", L, series_vars(), ["market-data", "quality"])


def overview():
    L = Layout()
    L.row("Flow")
    L.panel("Messages per second by source", [(f"sum by (provider, venue) (rate(cloudwall_md_messages_total{{{S}}}[$__rate_interval]))", PVL)], "ops")
    L.panel("Update rate per series (last 1 s window)", [(f"max by ({SERIES_BY}) (cloudwall_md_update_rate{{{S}}})", SRC)], "ops")
    L.panel("Message age (seconds since newest exchange time)", [(f"min by ({SERIES_BY}) (cloudwall_md_message_age_seconds{{{S}}})", SRC)], "s",
            thresholds=AGE_THRESHOLDS, threshold_style="line")
    L.panel("Series exported and capped", [(f"sum by (pod) (cloudwall_md_series_exported{{{TARGET}}})", "exported {{pod}}"),
                                           (f"sum by (reason) (rate(cloudwall_md_series_capped_total{{{TARGET}}}[$__rate_interval]))", "capped ({{reason}}) ≈ series dropped")], "short")
    L.row("Connections")
    L.panel("Reconnects by provider", [(f"sum by (provider) (increase(cloudwall_md_reconnects_total{{{P}}}[$__rate_interval]))", "{{provider}}")], "short",
            description="Summed over the ingest pods; MarketDataReconnectStorm fires above 5 in 10 minutes.")
    L.panel("Dead letters by provider", [(f"sum by (provider) (rate(cloudwall_md_dead_letters_total{{{P}}}[$__rate_interval]))", "{{provider}}")], "ops",
            description="Frames the decoders refused and dead-lettered; MarketDataDeadLetters fires above 0.5/s for 5 minutes.")
    L.panel("Subscriptions by provider", [(f"sum by (provider) (cloudwall_md_provider_subscriptions{{{P}}})", "{{provider}}")], "short")
    L.panel("Ingress bytes per second by provider", [(f"sum by (provider) (rate(cloudwall_md_received_bytes_total{{{P}}}[$__rate_interval]))", "{{provider}}")], "Bps",
            description="Payload bytes received (WebSocket messages, gRPC message sizes; acks and heartbeats included) at each provider's "
                        "Providers:<name>:Level. docs/cost.md, \"Ingress\"; compare-levels measures what another level would cost.")
    L.panel("Ingress bytes per event by provider", [(f"sum by (provider) (rate(cloudwall_md_received_bytes_total{{{P}}}[$__rate_interval])) / "
                                                     f"sum by (provider) (rate(cloudwall_md_provider_events_total{{{P}}}[$__rate_interval]))", "{{provider}}")], "decbytes",
            description="Bytes received per normalized event: what the venue's format and the chosen level cost per event.")
    L.panel("Targets up", [(f"up{{{TARGET}}}", "{{job}} {{pod}} {{instance}}")], "short", decimals=0,
            description="1 while Prometheus scrapes the target; CloudwallTargetDown fires after 1 m at 0.")
    L.row("Latency")
    L.panel("Exchange → receive p99 (per 1 s window)", [(f"max by (provider, venue, instrument) (cloudwall_md_latency_p99_seconds{{{S}}})", "{{provider}}/{{venue}} {{instrument}}")], "s",
            description="Per-window p99 from a log-linear histogram (within 6.25 %).")
    L.panel("Exchange → receive mean", [(mean("cloudwall_md_latency_seconds", S, "provider, venue"), PVL)], "s",
            description="Exact mean: _sum and _count of the histogram are exact (buckets place window means, not single messages).")
    L.panel("Receive → publish p99 (per 1 s window)", [(f"max by (provider, venue) (cloudwall_md_publish_latency_p99_seconds{{{S}}})", PVL)], "s")
    L.panel("Receive → publish mean", [(mean("cloudwall_md_publish_latency_seconds", S, "provider, venue"), PVL)], "s")
    L.row("Integrity")
    L.panel("Sequence gaps", [(f"sum by ({SERIES_BY}) (increase(cloudwall_md_sequence_gaps_total{{{S}}}[$__rate_interval]))", SRC)], "short")
    L.panel("Missing sequence numbers", [(f"sum by ({SERIES_BY}) (increase(cloudwall_md_missing_sequences_total{{{S}}}[$__rate_interval]))", SRC)], "short")
    L.panel("Fair price", [(f"max by (instrument, market) (cloudwall_md_fair_price{{{I}}})", "{{instrument}}")], "short", decimals=2)
    L.panel("Worst divergence from fair price (%)", [(f"max by (instrument) (abs(cloudwall_md_price_ratio{{{S}}} - 1)) * 100", "{{instrument}}")], "percent",
            thresholds=DIVERGENCE_THRESHOLDS, threshold_style="line")
    return dashboard(UIDS["overview"], "Cloudwall · Market data overview",
                     "Per-series flow, freshness, latency and integrity from the 1 s series windows; connections and targets.", L, series_vars(), ["market-data"])


def comparison():
    L = Layout()
    L.row("Price")
    L.panel("Price by source, with the fair price", [(f"max by ({SERIES_BY}) (cloudwall_md_last_price{{{S}}})", SRC),
                                                    (f"max by (instrument, market) (cloudwall_md_fair_price{{{I}}})", "fair {{instrument}}")], "short", w=24, h=10, decimals=2)
    L.panel("Price ratio to fair (±1 %, ±2 % lines)", [(f"max by ({SERIES_BY}) (cloudwall_md_price_ratio{{{S}}})", SRC)], "none", w=16, h=10, decimals=4,
            thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "orange", "value": 0.98}, {"color": "green", "value": 0.99},
                                                      {"color": "orange", "value": 1.01}, {"color": "red", "value": 1.02}]}, threshold_style="line+area",
            description="A source's last price over the instrument's fair price at the end of each 1 s window.")
    L.panel("Divergence now (%)", [(f"(max by ({SERIES_BY}) (cloudwall_md_price_ratio{{{S}}}) - 1) * 100", SRC)], "percent", kind="bargauge", w=8, h=10,
            thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "orange", "value": -2}, {"color": "green", "value": -1},
                                                      {"color": "orange", "value": 1}, {"color": "red", "value": 2}]})
    L.row("Timeliness")
    L.panel("Exchange → receive p99 by source", [(f"max by ({SERIES_BY}) (cloudwall_md_latency_p99_seconds{{{S}}})", SRC)], "s")
    L.panel("Exchange → receive mean by source", [(mean("cloudwall_md_latency_seconds", S, SERIES_BY), SRC)], "s")
    L.panel("Update rate by source", [(f"max by ({SERIES_BY}) (cloudwall_md_update_rate{{{S}}})", SRC)], "ops")
    L.panel("Message age by source", [(f"min by ({SERIES_BY}) (cloudwall_md_message_age_seconds{{{S}}})", SRC)], "s")
    L.row("Integrity")
    L.panel("Sequence gaps by source", [(f"sum by ({SERIES_BY}) (increase(cloudwall_md_sequence_gaps_total{{{S}}}[$__rate_interval]))", SRC)], "short")
    L.panel("Active subscriptions by source", [(f"max by ({SERIES_BY}) (cloudwall_md_active_subscriptions{{{S}}})", SRC)], "short")
    return dashboard(UIDS["comparison"], "Cloudwall · Provider comparison",
                     "The same instrument from every source: price, divergence from the fair price, latency, update rate, gaps and subscriptions.",
                     L, series_vars(), ["market-data"])


def kafka():
    L = Layout()
    T = f'topic=~"$topic",{TARGET}'
    L.row("Producer")
    L.panel("Records per second by topic and result", [(f"sum by (topic, result) (rate(cloudwall_kafka_produced_total{{{T}}}[$__rate_interval]))", "{{topic}} {{result}}")], "ops")
    L.panel("Bytes per second by topic", [(f"sum by (topic) (rate(cloudwall_kafka_produced_bytes_total{{{T}}}[$__rate_interval]))", "{{topic}}")], "Bps")
    L.panel("Delivery failures and drops", [(f'sum by (topic, result) (increase(cloudwall_kafka_produced_total{{{T},result=~"failed|dropped"}}[$__rate_interval]))', "{{topic}} {{result}}")], "short",
            thresholds={"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "red", "value": 1}]}, threshold_style="line",
            description="KafkaDeliveryFailures fires on any failed or dropped record in 5 minutes.")
    L.panel("Delivered share", [(f'sum(rate(cloudwall_kafka_produced_total{{{T},result="delivered"}}[$__rate_interval])) / sum(rate(cloudwall_kafka_produced_total{{{T}}}[$__rate_interval]))', "delivered")], "percentunit", decimals=4)
    L.panel("Delivery latency (enqueue → ack)",
            [(f"histogram_quantile(0.99, sum by (le) (rate(cloudwall_kafka_delivery_latency_seconds_bucket{{{TARGET}}}[$__rate_interval])))", "p99"),
             (f"histogram_quantile(0.5, sum by (le) (rate(cloudwall_kafka_delivery_latency_seconds_bucket{{{TARGET}}}[$__rate_interval])))", "p50"),
             (mean("cloudwall_kafka_delivery_latency_seconds", TARGET, "job"), "mean {{job}}")], "s",
            description="Producer enqueue to broker acknowledgement, over all pods; buckets at the publisher histogram's bounds (the mean is up to 20 % high).")
    L.panel("Input → ack latency p99", [(f"histogram_quantile(0.99, sum by (le, job) (rate(cloudwall_kafka_input_to_ack_latency_seconds_bucket{{{TARGET}}}[$__rate_interval])))", "p99 {{job}}")], "s",
            description="Receive time of the input event to the Kafka acknowledgement of what it produced.")
    L.panel("Producer queue depth", [(f"sum by (pod, instance) (cloudwall_kafka_queue_depth{{{TARGET}}})", "{{pod}} {{instance}}")], "short",
            description="Records enqueued in the producer and not yet acknowledged or failed.")
    L.panel("Producer retries by kind", [(f"sum by (kind) (rate(cloudwall_kafka_retries_total{{{TARGET}}}[$__rate_interval]))", "{{kind}}")], "ops")
    L.row("Pipeline")
    L.panel("Queue depth per partition", [(f'max by (pod, partition) (cloudwall_pipeline_queue_depth{{partition=~"$partition",{TARGET}}})', "{{pod}} partition {{partition}}")], "short")
    L.panel("Events dropped by full partitions", [(f"sum by (pod) (rate(cloudwall_pipeline_dropped_total{{{TARGET}}}[$__rate_interval]))", "dropped/s {{pod}}")], "ops")
    variables = target_vars() + [var("topic", f"label_values(cloudwall_kafka_produced_total{{{TARGET}}}, topic)"),
                                 var("partition", f"label_values(cloudwall_pipeline_queue_depth{{{TARGET}}}, partition)")]
    return dashboard(UIDS["kafka"], "Cloudwall · Kafka sink", "The Kafka producer and the pricing pipeline's queues.", L, variables, ["kafka"])


# Writes under grafana/ or, for a test comparing the checked-in files, under the directory given as the first argument.
OUT = sys.argv[1] if len(sys.argv) > 1 else HERE
os.makedirs(os.path.join(OUT, "dashboards"), exist_ok=True)
for name, d in [("data-quality", quality()), ("overview", overview()), ("provider-comparison", comparison()), ("kafka-sink", kafka())]:
    with open(os.path.join(OUT, "dashboards", name + ".json"), "w", encoding="utf-8") as f:
        json.dump(d, f, indent=2, ensure_ascii=False)
        f.write("\n")
