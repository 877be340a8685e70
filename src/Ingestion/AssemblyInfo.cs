namespace Cloudwall.Rx.Ingestion;
