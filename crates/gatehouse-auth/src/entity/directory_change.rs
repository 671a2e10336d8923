use sea_orm::entity::prelude::*;

/// A change to a tenant, one of its clients or its signing keys, which every auth process
/// reads to forget what it keeps of that tenant in memory (`service::directory`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_directory_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub tenant_slug: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
