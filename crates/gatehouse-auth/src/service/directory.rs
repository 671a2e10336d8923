//! What the OAuth endpoints read on every request (a tenant, its clients, its signing keys
//! opened and parsed, the access tokens introspection found live) kept in memory, so that
//! issuing or introspecting a token reads no database.
//!
//! Every change to these (and every revocation of an access token) writes a row naming the tenant to `auth_directory_changes`, in the
//! change's own transaction. Each serving process reads that log every poll interval and
//! forgets the tenants it names; the process that made a change forgets at once. A change made
//! anywhere (another instance, the CLI) is therefore seen everywhere within one poll interval
//! plus one read of the log. While the log cannot be read, nothing is served from memory.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use gatehouse_proto::AccessClaims;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::AuthService;
use crate::entity::{client, directory_change, signing_key, tenant};
use crate::error::AuthError;
use crate::keys::{self, SigningAlg};

/// The most tenants kept; the least used go first.
const MAX_TENANTS: u64 = 100_000;
/// The most clients kept per tenant.
const MAX_CLIENTS_PER_TENANT: usize = 10_000;
/// The most live access tokens remembered per tenant; past that, the memory starts over.
const MAX_LIVE_PER_TENANT: usize = 10_000;
/// A backstop, not the mechanism: an entry is read again after this long whatever the log says.
const ENTRY_TTL: Duration = Duration::from_secs(600);
/// The most rows one read of the log takes; a longer backlog forgets everything.
const READ_LIMIT: u64 = 10_000;
/// How long a change may stay uncommitted after a later one was read and still be seen (an
/// id is taken when a row is written, and transactions commit in any order).
const LATE_COMMIT: Duration = Duration::from_secs(30);
/// Rows older than this leave the log.
const LOG_RETENTION: chrono::Duration = chrono::Duration::hours(1);

/// A tenant as the OAuth endpoints use it. Derefs to the tenant's row.
pub(crate) struct TenantEntry {
    tenant: tenant::Model,
    keys: tokio::sync::OnceCell<Arc<[Arc<KeyEntry>]>>,
    clients: Mutex<HashMap<String, Arc<client::Model>>>,
    /// Claims of access tokens found valid and not revoked, by the token's SHA-256. A token's
    /// signature and claims never change, and revoking one records a change of its tenant,
    /// which forgets this entry; so only expiry is checked again.
    live: Mutex<HashMap<[u8; 32], AccessClaims>>,
}

impl std::ops::Deref for TenantEntry {
    type Target = tenant::Model;

    fn deref(&self) -> &tenant::Model {
        &self.tenant
    }
}

impl TenantEntry {
    fn new(tenant: tenant::Model) -> Self {
        Self {
            tenant,
            keys: tokio::sync::OnceCell::new(),
            clients: Mutex::new(HashMap::new()),
            live: Mutex::new(HashMap::new()),
        }
    }

    /// The claims of an access token found live before, while it has not expired.
    pub(crate) fn live_claims(&self, digest: &[u8; 32], now: i64) -> Option<AccessClaims> {
        lock(&self.live)
            .get(digest)
            .filter(|claims| claims.exp > now)
            .cloned()
    }

    pub(crate) fn remember_live(&self, digest: [u8; 32], claims: &AccessClaims) {
        let mut live = lock(&self.live);
        if live.len() >= MAX_LIVE_PER_TENANT {
            live.clear();
        }
        live.insert(digest, claims.clone());
    }
}

/// A published signing key; its private key is opened and parsed on first use.
pub(crate) struct KeyEntry {
    /// The row as stored: the private key in it is sealed.
    row: signing_key::Model,
    signing: OnceLock<Arc<keys::Signer>>,
    verifying: OnceLock<Option<(Arc<DecodingKey>, Algorithm)>>,
}

impl KeyEntry {
    fn new(row: signing_key::Model) -> Arc<Self> {
        Arc::new(Self {
            row,
            signing: OnceLock::new(),
            verifying: OnceLock::new(),
        })
    }

    pub(crate) fn kid(&self) -> &str {
        &self.row.kid
    }

    fn signs_at(&self, alg: &str, now: chrono::DateTime<Utc>) -> bool {
        self.row.alg == alg
            && self.row.activates_at.is_none_or(|at| at <= now)
            && self.row.retires_at.is_none_or(|at| at > now)
    }

    fn published_at(&self, now: chrono::DateTime<Utc>) -> bool {
        self.row.expires_at.is_none_or(|at| at > now)
    }

    /// Signs `claims` as a JWT of type `typ`.
    pub(crate) fn sign<C: serde::Serialize>(
        &self,
        sealer: &crate::Sealer,
        claims: &C,
        typ: &str,
    ) -> Result<String, AuthError> {
        let key = match self.signing.get() {
            Some(key) => key,
            None => {
                let alg = SigningAlg::parse(&self.row.alg)
                    .ok_or_else(|| keys::KeyError::Stored(format!("alg {}", self.row.alg)))?;
                let pem = sealer.open(&self.row.private_pem, &self.row.kid)?;
                let parsed = Arc::new(keys::Signer::from_pem(alg, &pem)?);
                self.signing.get_or_init(|| parsed)
            }
        };
        Ok(key.sign(claims, typ, &self.row.kid)?)
    }

    /// The public key and its algorithm, or `None` for a stored JWK that does not parse.
    pub(crate) fn verifying(&self) -> Option<(&DecodingKey, Algorithm)> {
        self.verifying
            .get_or_init(|| {
                let alg = SigningAlg::parse(&self.row.alg)?.jwt_alg();
                let jwk = serde_json::from_str::<Jwk>(&self.row.public_jwk).ok()?;
                Some((Arc::new(DecodingKey::from_jwk(&jwk).ok()?), alg))
            })
            .as_ref()
            .map(|(key, alg)| (key.as_ref(), *alg))
    }
}

/// The tenants kept in memory, and whether they may be served from there.
pub(crate) struct Directory {
    tenants: moka::sync::Cache<String, Arc<TenantEntry>>,
    /// Counts forgettings. An entry read from the database while one happened may predate the
    /// change it was for, so it is not kept.
    forgets: AtomicU64,
    /// Entries are served until this instant (milliseconds since `epoch`): a few poll intervals
    /// past the last read of the log. Zero until the first read.
    fresh_until_ms: AtomicU64,
    epoch: Instant,
}

impl Directory {
    pub(crate) fn new() -> Self {
        Self {
            tenants: moka::sync::Cache::builder()
                .max_capacity(MAX_TENANTS)
                .time_to_live(ENTRY_TTL)
                .build(),
            forgets: AtomicU64::new(0),
            fresh_until_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn serving(&self) -> bool {
        self.now_ms() < self.fresh_until_ms.load(Ordering::Acquire)
    }

    fn fresh_for(&self, period: Duration) {
        let until = self.now_ms() + u64::try_from(period.as_millis()).unwrap_or(u64::MAX);
        self.fresh_until_ms.store(until, Ordering::Release);
    }

    pub(crate) fn forget(&self, slug: &str) {
        // Counted first: a load that started before this sees the count move and keeps nothing.
        self.forgets.fetch_add(1, Ordering::AcqRel);
        self.tenants.invalidate(slug);
    }

    fn forget_all(&self) {
        self.forgets.fetch_add(1, Ordering::AcqRel);
        self.tenants.invalidate_all();
    }
}

/// Where the reader of the log stands.
struct LogCursor {
    /// Every change up to this id has been read.
    low: i32,
    /// Changes read above `low`, with when they were first read.
    seen: BTreeMap<i32, Instant>,
    /// A read failed since the last that succeeded.
    failed: bool,
    reads: u64,
}

impl AuthService {
    /// The tenant `slug`, from memory when it may be served from there.
    pub(crate) async fn tenant_entry(
        &self,
        slug: &str,
    ) -> Result<Option<Arc<TenantEntry>>, AuthError> {
        let directory = &self.directory;
        let serving = directory.serving();
        if serving && let Some(entry) = directory.tenants.get(slug) {
            return Ok(Some(entry));
        }
        let forgets = directory.forgets.load(Ordering::Acquire);
        let Some(tenant) = self.find_tenant(slug).await? else {
            return Ok(None);
        };
        let entry = Arc::new(TenantEntry::new(tenant));
        if serving && directory.forgets.load(Ordering::Acquire) == forgets {
            directory.tenants.insert(slug.to_owned(), entry.clone());
        }
        Ok(Some(entry))
    }

    /// The tenant's client `client_id`.
    pub(crate) async fn tenant_client(
        &self,
        tenant: &TenantEntry,
        client_id: &str,
    ) -> Result<Option<Arc<client::Model>>, AuthError> {
        if let Some(client) = lock(&tenant.clients).get(client_id) {
            return Ok(Some(client.clone()));
        }
        // An entry forgotten meanwhile is unreachable, and so is what is added to it.
        let Some(found) = self.find_client(tenant.id, client_id).await? else {
            return Ok(None);
        };
        let found = Arc::new(found);
        let mut clients = lock(&tenant.clients);
        if clients.len() < MAX_CLIENTS_PER_TENANT {
            clients.insert(client_id.to_owned(), found.clone());
        }
        Ok(Some(found))
    }

    /// The tenant's published keys: pending, active and retiring.
    pub(crate) async fn tenant_keys(
        &self,
        tenant: &TenantEntry,
    ) -> Result<Arc<[Arc<KeyEntry>]>, AuthError> {
        let keys = tenant
            .keys
            .get_or_try_init(|| async {
                let rows = self.published_keys(tenant).await?;
                Ok::<_, AuthError>(rows.into_iter().map(KeyEntry::new).collect())
            })
            .await?;
        Ok(keys.clone())
    }

    /// The key that signs for `alg` now. A tenant gets its first RS256 key (which OpenID
    /// Connect requires for ID tokens) when it first needs one: an RSA key takes a core some
    /// 100 ms to make, too long for every tenant's creation.
    pub(crate) async fn signing_key(
        &self,
        tenant: &TenantEntry,
        alg: &str,
    ) -> Result<Arc<KeyEntry>, AuthError> {
        let now = Utc::now();
        let current = |keys: &[Arc<KeyEntry>]| {
            keys.iter()
                .filter(|k| k.signs_at(alg, now))
                .max_by_key(|k| k.row.activates_at)
                .cloned()
        };
        if let Some(key) = current(&self.tenant_keys(tenant).await?) {
            return Ok(key);
        }
        let alg = SigningAlg::parse(alg)
            .ok_or_else(|| AuthError::NotFound(format!("the tenant has no {alg} signing key")))?;
        // One key made at a time in this process; and again under the lock, the database may
        // have one by now.
        let _making = self.key_making.lock().await;
        let rows = self.published_keys(tenant).await?;
        let fresh: Vec<_> = rows.into_iter().map(KeyEntry::new).collect();
        if let Some(key) = current(&fresh) {
            return Ok(key);
        }
        let tx = self.db.begin().await?;
        let row = super::keys::insert_key(&tx, &self.config.sealer, tenant.id, alg, now).await?;
        self.commit_change(tx, &tenant.slug).await?;
        tracing::info!(tenant = %tenant.slug, alg = alg.as_str(), kid = %row.kid, "signing key made on first use");
        Ok(KeyEntry::new(row))
    }

    /// Commits `tx` (a change of the tenant `slug` or of something of it) with a row in the
    /// change log, for every other process to forget what it keeps of the tenant; this one
    /// forgets it at once.
    pub(crate) async fn commit_change(
        &self,
        tx: DatabaseTransaction,
        slug: &str,
    ) -> Result<(), AuthError> {
        directory_change::ActiveModel {
            tenant_slug: Set(slug.to_owned()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        self.directory.forget(slug);
        Ok(())
    }

    /// Reads the change log every `interval`, forgetting the tenants it names, for as long as
    /// the process runs. Until this runs, nothing is served from memory.
    pub async fn watch_directory(self, interval: Duration) {
        let mut cursor = LogCursor {
            low: i32::MAX,
            seen: BTreeMap::new(),
            failed: false,
            reads: 0,
        };
        let mut every = tokio::time::interval(interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match self.read_changes(&mut cursor).await {
                // Served until three reads in a row have failed.
                Ok(()) => self.directory.fresh_for(interval * 3),
                Err(err) => {
                    if !cursor.failed {
                        tracing::warn!(error = %gatehouse_proto::ErrorChain(&err), "cannot read the directory's change log; serving tenants from the database");
                    }
                    cursor.failed = true;
                }
            }
        }
    }

    async fn read_changes(&self, cursor: &mut LogCursor) -> Result<(), AuthError> {
        if cursor.low == i32::MAX {
            // The first read: what was changed before is not in memory.
            let newest = directory_change::Entity::find()
                .order_by_desc(directory_change::Column::Id)
                .one(&self.db)
                .await?;
            cursor.low = newest.map_or(0, |row| row.id);
            return Ok(());
        }
        let rows = directory_change::Entity::find()
            .filter(directory_change::Column::Id.gt(cursor.low))
            .order_by_asc(directory_change::Column::Id)
            .limit(READ_LIMIT)
            .all(&self.db)
            .await?;
        let now = Instant::now();
        if cursor.failed || rows.len() as u64 >= READ_LIMIT {
            // Changes may have been missed: forget everything, and go on from here.
            self.directory.forget_all();
            cursor.failed = false;
            cursor.seen.clear();
            cursor.low = rows.last().map_or(cursor.low, |r| r.id.max(cursor.low));
        } else {
            for row in rows {
                if cursor.seen.insert(row.id, now).is_none() {
                    self.directory.forget(&row.tenant_slug);
                }
            }
        }
        while let Some((&id, &at)) = cursor.seen.first_key_value() {
            if now.duration_since(at) < LATE_COMMIT {
                break;
            }
            cursor.low = id;
            cursor.seen.pop_first();
        }
        cursor.reads += 1;
        if cursor.reads.is_multiple_of(600) {
            directory_change::Entity::delete_many()
                .filter(directory_change::Column::CreatedAt.lt(Utc::now() - LOG_RETENTION))
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }

    /// The keys in the tenant's JWKS, from the database.
    pub(crate) async fn published_keys(
        &self,
        tenant: &tenant::Model,
    ) -> Result<Vec<signing_key::Model>, AuthError> {
        Ok(signing_key::Entity::find()
            .filter(signing_key::Column::TenantId.eq(tenant.id))
            .filter(
                Condition::any()
                    .add(signing_key::Column::ExpiresAt.is_null())
                    .add(signing_key::Column::ExpiresAt.gt(Utc::now())),
            )
            .order_by_desc(signing_key::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// The tenant's key `kid`, while it is published.
    pub(crate) async fn published_key(
        &self,
        tenant: &TenantEntry,
        kid: &str,
    ) -> Result<Option<Arc<KeyEntry>>, AuthError> {
        let now = Utc::now();
        Ok(self
            .tenant_keys(tenant)
            .await?
            .iter()
            .find(|k| k.kid() == kid && k.published_at(now))
            .cloned())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a map that is still whole.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
