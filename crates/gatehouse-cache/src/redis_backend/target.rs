//! What `redis_url` names: one server, a Redis Cluster, or a primary that Redis Sentinel follows.

use std::fmt;

/// A Redis deployment, parsed from one URL.
///
/// - `redis://[user:password@]host:port[/db]` (`rediss://` for TLS): one server.
/// - `redis-cluster://[user:password@]host:port,host:port,…` (`rediss-cluster://`): seed nodes of
///   a Redis Cluster; the client learns the others from them.
/// - `redis-sentinel://[user:password@]host:port,…/name[/db][?sentinel_username=…&sentinel_password=…]`
///   (`rediss-sentinel://`): the sentinels watching the primary called `name`. The user and
///   password are the primary's; the sentinels' own are in the query.
#[derive(Clone, PartialEq, Eq)]
pub enum RedisTarget {
    Server(String),
    Cluster {
        /// `redis://` or `rediss://` URLs, one per seed node.
        nodes: Vec<String>,
    },
    Sentinel {
        /// `redis://` or `rediss://` URLs, one per sentinel, with the sentinels' credentials.
        sentinels: Vec<String>,
        /// The name under which the sentinels know the primary.
        primary: String,
        tls: bool,
        db: i64,
        username: Option<String>,
        password: Option<String>,
    },
}

/// A `redis_url` that names no Redis deployment; the message says what is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TargetError(String);

fn bad(message: impl Into<String>) -> TargetError {
    TargetError(message.into())
}

/// Percent-decoding for user names and passwords, which URLs carry encoded.
fn decode(s: &str) -> Result<String, TargetError> {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad("has a malformed %-escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad("has a %-escape that is not UTF-8"))
}

impl RedisTarget {
    pub fn parse(url: &str) -> Result<Self, TargetError> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            bad("must start with redis://, rediss://, redis-cluster:// or redis-sentinel://")
        })?;
        let (tls, kind) = match scheme {
            "redis" => (false, ""),
            "rediss" => (true, ""),
            "redis-cluster" => (false, "cluster"),
            "rediss-cluster" => (true, "cluster"),
            "redis-sentinel" => (false, "sentinel"),
            "rediss-sentinel" => (true, "sentinel"),
            _ => {
                return Err(bad(
                    "must start with redis://, rediss://, redis-cluster://, rediss-cluster://, \
                     redis-sentinel:// or rediss-sentinel://",
                ));
            }
        };
        let node_scheme = if tls { "rediss" } else { "redis" };
        if kind.is_empty() {
            return Ok(Self::Server(url.to_owned()));
        }
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((userinfo, hosts)) => (Some(userinfo), hosts),
            None => (None, authority),
        };
        let hosts: Vec<&str> = hosts.split(',').collect();
        for host in &hosts {
            let valid = host
                .rsplit_once(':')
                .is_some_and(|(name, port)| !name.is_empty() && port.parse::<u16>().is_ok());
            if !valid {
                return Err(bad(format!("names `{host}`, which is not host:port")));
            }
        }
        let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if kind == "cluster" {
            if !path.is_empty() || !query.is_empty() {
                return Err(bad(
                    "a Redis Cluster has no database number or options: redis-cluster://host:port,host:port",
                ));
            }
            let credentials = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
            return Ok(Self::Cluster {
                nodes: hosts
                    .iter()
                    .map(|h| format!("{node_scheme}://{credentials}{h}"))
                    .collect(),
            });
        }
        let (primary, db) = match path.as_slice() {
            [primary] => (primary, 0),
            [primary, db] => (
                primary,
                db.parse()
                    .map_err(|_| bad(format!("names database `{db}`, which is not a number")))?,
            ),
            _ => {
                return Err(bad(
                    "must name the primary the sentinels watch: redis-sentinel://host:port,…/name[/db]",
                ));
            }
        };
        let (mut sentinel_username, mut sentinel_password) = (String::new(), String::new());
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("sentinel_username", value)) => sentinel_username = value.to_owned(),
                Some(("sentinel_password", value)) => sentinel_password = value.to_owned(),
                _ => {
                    return Err(bad(format!(
                        "has the option `{pair}`; the options are sentinel_username and sentinel_password"
                    )));
                }
            }
        }
        let sentinel_credentials = match (sentinel_username.as_str(), sentinel_password.as_str()) {
            ("", "") => String::new(),
            (user, password) => format!("{user}:{password}@"),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let user = decode(user)?;
                let password = decode(password)?;
                (
                    (!user.is_empty()).then_some(user),
                    (!password.is_empty()).then_some(password),
                )
            }
        };
        Ok(Self::Sentinel {
            sentinels: hosts
                .iter()
                .map(|h| format!("{node_scheme}://{sentinel_credentials}{h}"))
                .collect(),
            primary: (*primary).to_owned(),
            tls,
            db,
            username,
            password,
        })
    }
}

/// Without credentials: the URL may be logged.
impl fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Server(_) => f.write_str("Server"),
            Self::Cluster { nodes } => write!(f, "Cluster({} seed nodes)", nodes.len()),
            Self::Sentinel {
                sentinels, primary, ..
            } => write!(f, "Sentinel({primary}, {} sentinels)", sentinels.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_server_is_its_url() {
        assert_eq!(
            RedisTarget::parse("rediss://:pw@cache:6380/2").expect("a valid URL"),
            RedisTarget::Server("rediss://:pw@cache:6380/2".into())
        );
    }

    #[test]
    fn a_cluster_is_its_seed_nodes_with_the_credentials_of_each() {
        assert_eq!(
            RedisTarget::parse("rediss-cluster://u:p%40ss@a:7000,b:7001").expect("a valid URL"),
            RedisTarget::Cluster {
                nodes: vec![
                    "rediss://u:p%40ss@a:7000".into(),
                    "rediss://u:p%40ss@b:7001".into()
                ]
            }
        );
        for bad in [
            "redis-cluster://a:7000/0",
            "redis-cluster://a:7000,b",
            "redis-cluster://",
            "redis-cluster://a:7000,:7001",
        ] {
            assert!(RedisTarget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_sentinel_url_names_the_sentinels_the_primary_and_its_credentials() {
        assert_eq!(
            RedisTarget::parse(
                "redis-sentinel://app:s%3Acret@s1:26379,s2:26380/main/3?sentinel_password=watch"
            )
            .expect("a valid URL"),
            RedisTarget::Sentinel {
                sentinels: vec![
                    "redis://:watch@s1:26379".into(),
                    "redis://:watch@s2:26380".into()
                ],
                primary: "main".into(),
                tls: false,
                db: 3,
                username: Some("app".into()),
                password: Some("s:cret".into()),
            }
        );
        for bad in [
            "redis-sentinel://s1:26379",
            "redis-sentinel://s1:26379/main/x",
            "redis-sentinel://s1:26379/main?password=x",
            "memcached://s1:11211",
            "redis:/s1",
        ] {
            assert!(RedisTarget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_output_holds_no_credentials() {
        let target =
            RedisTarget::parse("redis-sentinel://:secret@s1:26379/main").expect("a valid URL");
        assert!(!format!("{target:?}").contains("secret"));
    }
}
