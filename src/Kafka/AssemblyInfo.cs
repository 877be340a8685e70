namespace Cloudwall.Rx.Kafka;
