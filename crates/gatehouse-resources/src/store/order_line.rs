//! `resources_order_lines`: what an order holds, with each product's name, SKU and price as
//! they were when it was ordered.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resources_order_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub position: i32,
    pub tenant_id: Uuid,
    pub product_id: Uuid,
    pub product_name: String,
    pub sku: String,
    pub quantity: i64,
    pub unit_amount: i64,
    pub line_amount: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
