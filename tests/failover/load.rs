//! A mixed load, as a shop's clients make it: tokens, cached and uncached reads, writes. Every
//! answer is counted by status; every failure is kept with what a client would act on.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Registered, TestApp};

/// A tenant `acme` with a client, its token and a few products.
pub struct Shop {
    pub base: String,
    pub client: Registered,
    pub token: String,
    pub http: reqwest::Client,
}

impl Shop {
    pub async fn open(app: &TestApp) -> Arc<Self> {
        let scopes = ["products:read", "products:write"];
        app.create_tenant("acme").await;
        let client = app.register_client("acme", &scopes.join(" ")).await;
        let token = app.token(&client, &scopes).await;
        for n in 0..5 {
            app.create_product(&token, &format!("Widget {n}")).await;
        }
        Arc::new(Self {
            base: app.base.clone(),
            client,
            token,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
        })
    }

    pub fn list(&self) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}/t/acme/api/v1/products?per_page=5", self.base))
            .bearer_auth(&self.token)
    }

    fn request(&self, kind: Kind, n: u64) -> reqwest::RequestBuilder {
        match kind {
            Kind::Token => self
                .http
                .post(format!("{}/t/acme/oauth2/token", self.base))
                .basic_auth(&self.client.client_id, Some(&self.client.client_secret))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "products:read"),
                ]),
            Kind::CachedRead => self.list(),
            Kind::UncachedRead => self.list().header("Cache-Control", "no-cache"),
            Kind::Write => self
                .http
                .post(format!("{}/t/acme/api/v1/products", self.base))
                .bearer_auth(&self.token)
                .json(&json!({
                    "name": format!("Load {n}"),
                    "sku": uuid::Uuid::new_v4().simple().to_string(),
                    "price": {"amount": 1, "currency": "EUR"},
                })),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Token,
    CachedRead,
    UncachedRead,
    Write,
}

/// One answer that was not a success.
#[derive(Debug)]
pub struct Failure {
    pub kind: Kind,
    pub status: Option<u16>,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub body: String,
}

#[derive(Debug, Default)]
pub struct Tally {
    /// (kind, status) → answers; status 0 for no answer at all.
    pub answers: BTreeMap<(Kind, u16), u64>,
    pub failures: Vec<Failure>,
    pub slowest: Duration,
}

impl Tally {
    pub fn total(&self) -> u64 {
        self.answers.values().sum()
    }

    pub fn of(&self, kind: Kind, status: u16) -> u64 {
        self.answers.get(&(kind, status)).copied().unwrap_or(0)
    }

    fn add(&mut self, other: Tally) {
        for (key, n) in other.answers {
            *self.answers.entry(key).or_default() += n;
        }
        self.failures.extend(other.failures);
        self.slowest = self.slowest.max(other.slowest);
    }
}

/// `workers` clients, each cycling through tokens, cached reads, uncached reads and (every
/// fourth round) a write, until `until`.
pub async fn drive(shop: Arc<Shop>, workers: usize, until: Instant) -> Tally {
    let tasks: Vec<_> = (0..workers)
        .map(|worker| {
            let shop = shop.clone();
            tokio::spawn(async move {
                let mut tally = Tally::default();
                let mut round = 0u64;
                while Instant::now() < until {
                    round += 1;
                    let mut kinds = vec![Kind::Token, Kind::CachedRead, Kind::UncachedRead];
                    if round % 4 == worker as u64 % 4 {
                        kinds.push(Kind::Write);
                    }
                    for kind in kinds {
                        let started = Instant::now();
                        let answer = shop.request(kind, round).send().await;
                        let took = started.elapsed();
                        tally.slowest = tally.slowest.max(took);
                        let (status, failure) = match answer {
                            Ok(response) if response.status().is_success() => {
                                (response.status().as_u16(), None)
                            }
                            Ok(response) => {
                                let status = response.status().as_u16();
                                let header = |name: &str| {
                                    response
                                        .headers()
                                        .get(name)
                                        .and_then(|v| v.to_str().ok())
                                        .map(str::to_owned)
                                };
                                let content_type = header("content-type").unwrap_or_default();
                                let retry_after = header("retry-after");
                                let body = response.text().await.unwrap_or_default();
                                (
                                    status,
                                    Some(Failure {
                                        kind,
                                        status: Some(status),
                                        content_type,
                                        retry_after,
                                        body,
                                    }),
                                )
                            }
                            Err(err) => (
                                0,
                                Some(Failure {
                                    kind,
                                    status: None,
                                    content_type: String::new(),
                                    retry_after: None,
                                    body: err.to_string(),
                                }),
                            ),
                        };
                        *tally.answers.entry((kind, status)).or_default() += 1;
                        tally.failures.extend(failure);
                    }
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        tally.add(task.await.expect("a load worker"));
    }
    tally
}

/// The load for `seconds` while `failure` happens (it starts three seconds in), with what the
/// clients saw; a summary goes to the test's output.
pub async fn during(
    shop: &Arc<Shop>,
    seconds: u64,
    failure: impl std::future::Future<Output = ()>,
) -> Tally {
    let started = Instant::now();
    let load = tokio::spawn(drive(
        Arc::clone(shop),
        4,
        started + Duration::from_secs(seconds),
    ));
    tokio::time::sleep(Duration::from_secs(3)).await;
    failure.await;
    let over_at = started.elapsed();
    let tally = load.await.expect("the load");
    eprintln!(
        "{} requests, {} failed, slowest {:?}, the failure over {over_at:?} after the start; {:?}",
        tally.total(),
        tally.failures.len(),
        tally.slowest,
        tally.answers
    );
    assert!(tally.total() > 100, "the load ran: {:?}", tally.answers);
    tally
}

/// The platform under test, configured for load: budgets no test load spends.
pub fn generous_limits(config: &mut gatehouse::Config) {
    let limits = &mut config.gateway.rate_limits;
    limits.tenant_per_minute = 1_000_000;
    limits.client_per_minute = 1_000_000;
    limits.token_endpoint_per_minute = 1_000_000;
    limits.oauth_per_minute = 1_000_000;
    limits.registration_per_minute = 1_000_000;
}

/// The `x-cache` header of a cached read now.
pub async fn x_cache(shop: &Shop) -> String {
    let response = shop.list().send().await.expect("an answer");
    assert_eq!(response.status(), 200);
    response
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Waits until cached reads are served from the cache again, up to `timeout`.
pub async fn cache_serves_again(shop: &Shop, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        if x_cache(shop).await == "HIT" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the cache did not serve a read again within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
