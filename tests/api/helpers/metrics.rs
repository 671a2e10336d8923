//! The operators' `/metrics`, scraped and parsed.

/// The operators' `/metrics` on `ops_port`, parsed by a Prometheus parser.
pub async fn scrape(ops_port: u16) -> Metrics {
    let response = reqwest::get(format!("http://127.0.0.1:{ops_port}/metrics"))
        .await
        .expect("/metrics answers");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/openmetrics-text"),
        "the exposition format"
    );
    let text = response.text().await.expect("text");
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    Metrics(prometheus_parse::Scrape::parse(lines).expect("a Prometheus exposition"))
}

pub struct Metrics(pub prometheus_parse::Scrape);

impl Metrics {
    /// The value of the sample `name` whose labels include `labels`, 0 when there is none (a
    /// series appears with its first event).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let matching: Vec<f64> = self
            .0
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .map(|s| match &s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => *v,
                prometheus_parse::Value::Histogram(buckets) => buckets
                    .iter()
                    .find(|b| b.less_than.is_infinite())
                    .map_or(0.0, |b| b.count),
                prometheus_parse::Value::Summary(_) => f64::NAN,
            })
            .collect();
        assert!(matching.len() <= 1, "{name} {labels:?} names one series");
        matching.first().copied().unwrap_or(0.0)
    }
}
