/// Settings of the resource service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcesConfig {
    /// The largest `per_page` a list operation accepts; a larger one is refused (400), never
    /// clamped. The default page size is `min(20, max_per_page)`.
    pub max_per_page: u64,
}

impl ResourcesConfig {
    pub(crate) const DEFAULT_PER_PAGE: u64 = 20;

    pub(crate) fn default_per_page(&self) -> u64 {
        Self::DEFAULT_PER_PAGE.min(self.max_per_page)
    }
}

impl Default for ResourcesConfig {
    fn default() -> Self {
        Self { max_per_page: 100 }
    }
}
