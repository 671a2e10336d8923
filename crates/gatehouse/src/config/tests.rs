use super::*;

#[test]
fn the_defaults_are_valid() {
    let config = Config::defaults().expect("defaults");
    assert_eq!(config.listen, "127.0.0.1:8080");
    assert!(config.database_url().starts_with("sqlite://"));
}

#[test]
fn only_configuration_variables_are_read_from_the_environment() {
    for key in ["LISTEN", "GATEWAY__MAX_BODY_BYTES", "redis_url"] {
        assert!(is_config_key(key), "{key}");
    }
    for key in [
        "CONFIG",
        "config",
        "TEST_DATABASE_URL",
        "RESOURCES_TEST_DATABASE_URL",
    ] {
        assert!(!is_config_key(key), "{key}");
    }
}

#[test]
fn a_bad_value_names_its_key() {
    let figment = Figment::from(Toml::string(DEFAULTS)).merge(("listen", "nowhere"));
    let err = Config::from_figment(figment)
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("`listen`"), "{err}");

    let figment =
        Figment::from(Toml::string(DEFAULTS)).merge(("auth.default_signing_alg", "HS256"));
    let err = Config::from_figment(figment)
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("auth.default_signing_alg"), "{err}");

    let figment = Figment::from(Toml::string(DEFAULTS))
        .merge(("gateway.trusted_proxies", vec!["10.0.0.0/8", "10.0.0.300"]));
    let err = Config::from_figment(figment)
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("gateway.trusted_proxies"), "{err}");
    assert!(err.contains("10.0.0.300"), "{err}");

    let figment = Figment::from(Toml::string(DEFAULTS)).merge(("internal_key", "short"));
    let err = Config::from_figment(figment)
        .expect_err("invalid")
        .to_string();
    assert!(err.contains("`internal_key`"), "{err}");

    let figment = Figment::from(Toml::string(DEFAULTS)).merge(("gateway.colour", "blue"));
    let err = Config::from_figment(figment)
        .expect_err("unknown key")
        .to_string();
    assert!(err.contains("colour"), "{err}");
}

#[test]
fn port_from_the_platform_moves_the_roles_public_listener_only() {
    let config = Config::defaults().expect("defaults");
    let gateway = config
        .clone()
        .with_platform_port(crate::Role::Gateway, Some("5000"))
        .expect("a port");
    assert_eq!(gateway.listen, "0.0.0.0:5000");
    assert_eq!(gateway.ops_listen(crate::Role::Gateway), "127.0.0.1:9090");
    let auth = config
        .clone()
        .with_platform_port(crate::Role::Auth, Some("5001"))
        .expect("a port");
    assert_eq!(
        (auth.listen.as_str(), auth.auth.listen.as_str()),
        ("127.0.0.1:8080", "0.0.0.0:5001")
    );
    assert_eq!(auth.ops_listen(crate::Role::Auth), "127.0.0.1:9091");
    let err = config
        .with_platform_port(crate::Role::All, Some("http"))
        .expect_err("not a port")
        .to_string();
    assert!(err.contains("`PORT`"), "{err}");
}

#[test]
fn the_database_url_names_a_supported_database() {
    for url in [
        "sqlite://data/gatehouse.db?mode=rwc",
        "postgres://gatehouse@127.0.0.1/gatehouse",
        "postgresql://gatehouse@127.0.0.1/gatehouse",
        "mysql://gatehouse@127.0.0.1/gatehouse",
    ] {
        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("database_url", url));
        let config = Config::from_figment(figment).expect(url);
        assert_eq!(config.database_url(), url);
    }
    // sqlx knows MariaDB only as mysql://.
    for url in [
        "mariadb://gatehouse@127.0.0.1/gatehouse",
        "redis://127.0.0.1",
    ] {
        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("database_url", url));
        let err = Config::from_figment(figment).expect_err(url).to_string();
        assert!(err.contains("database_url"), "{err}");
        assert!(err.contains("mysql://"), "{err}");
    }
}

#[test]
fn redis_url_names_a_server_a_cluster_or_sentinels_and_says_what_is_wrong() {
    for url in [
        "redis://127.0.0.1:6379/0",
        "rediss://:secret@cache.internal:6380",
        "redis-cluster://10.0.0.1:7000,10.0.0.2:7000",
        "redis-sentinel://s1:26379,s2:26379,s3:26379/main",
    ] {
        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("redis_url", url));
        Config::from_figment(figment).expect(url);
    }
    for (url, says) in [
        ("memcached://127.0.0.1", "redis-cluster://"),
        ("redis-cluster://10.0.0.1", "host:port"),
        ("redis-sentinel://s1:26379", "name the primary"),
    ] {
        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("redis_url", url));
        let err = Config::from_figment(figment).expect_err(url).to_string();
        assert!(err.contains("redis_url") && err.contains(says), "{err}");
    }
}

#[test]
fn a_database_url_with_several_hosts_or_that_does_not_parse_is_refused_without_quoting_it() {
    for (url, says) in [
        (
            "postgres://app:s3cret@db-a:5432,db-b:5432/gatehouse",
            "several hosts",
        ),
        (
            "postgres://app:s3cret@db-a:port/gatehouse",
            "not a valid URL",
        ),
    ] {
        let figment = Figment::from(Toml::string(DEFAULTS)).merge(("database_url", url));
        let err = Config::from_figment(figment).expect_err(url).to_string();
        assert!(err.contains("database_url") && err.contains(says), "{err}");
        assert!(
            !err.contains("s3cret"),
            "the password stays out of the message: {err}"
        );
    }
}
