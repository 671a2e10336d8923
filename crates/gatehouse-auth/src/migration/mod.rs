//! The auth server's schema. Its migrations are recorded in their own table,
//! `seaql_migrations_auth`, so the services can share one database and still migrate
//! independently. The column helpers they share with the resource service are in
//! [`gatehouse_proto::columns`].

use sea_orm_migration::prelude::*;

mod m20261127_000001_create_auth_tables;
mod m20261127_000002_authorization_code_tables;
mod m20261127_000003_key_rotation_and_client_metadata;
mod m20261127_000004_tenant_rate_limit;
mod m20261127_000005_opaque_access_tokens;
mod m20261127_000006_tenant_requires_if_match;
mod m20261202_000007_expiry_indexes;
mod m20261202_000008_browser_bound_requests;
mod m20261202_000009_revocation_feed;
mod m20261202_000010_user_roles_and_disabling;
mod m20261202_000011_tenant_and_client_disabling;
mod m20261202_000012_resource_servers;
mod m20261202_000013_directory_changes;
mod m20261203_000014_resource_indicators;
mod m20261203_000015_pushed_authorization_requests;
mod m20261203_000016_client_registration;
mod m20261203_000017_device_authorization;
mod m20261203_000018_dpop;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migration_table_name() -> DynIden {
        "seaql_migrations_auth".into_iden()
    }

    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_auth_tables::Migration),
            Box::new(m20261127_000002_authorization_code_tables::Migration),
            Box::new(m20261127_000003_key_rotation_and_client_metadata::Migration),
            Box::new(m20261127_000004_tenant_rate_limit::Migration),
            Box::new(m20261127_000005_opaque_access_tokens::Migration),
            Box::new(m20261127_000006_tenant_requires_if_match::Migration),
            Box::new(m20261202_000007_expiry_indexes::Migration),
            Box::new(m20261202_000008_browser_bound_requests::Migration),
            Box::new(m20261202_000009_revocation_feed::Migration),
            Box::new(m20261202_000010_user_roles_and_disabling::Migration),
            Box::new(m20261202_000011_tenant_and_client_disabling::Migration),
            Box::new(m20261202_000012_resource_servers::Migration),
            Box::new(m20261202_000013_directory_changes::Migration),
            Box::new(m20261203_000014_resource_indicators::Migration),
            Box::new(m20261203_000015_pushed_authorization_requests::Migration),
            Box::new(m20261203_000016_client_registration::Migration),
            Box::new(m20261203_000017_device_authorization::Migration),
            Box::new(m20261203_000018_dpop::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Installed databases know the migrations by these names; a migration whose name changed
    /// would run again on them.
    #[test]
    fn migrations_keep_the_names_installed_databases_recorded() {
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "migration",
                "migration_002",
                "migration_003",
                "migration_004",
                "migration_005",
                "migration_006",
                "migration_007",
                "migration_008",
                "migration_009",
                "migration_010",
                "migration_011",
                "migration_012",
                "m20261202_000013_directory_changes",
                "m20261203_000014_resource_indicators",
                "m20261203_000015_pushed_authorization_requests",
                "m20261203_000016_client_registration",
                "m20261203_000017_device_authorization",
                "m20261203_000018_dpop",
            ]
        );
    }
}
