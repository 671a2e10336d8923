/// Settings of the resource service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcesConfig {
    /// The largest `per_page` a list operation accepts; a larger one is refused (400), never
    /// clamped. The default page size is `min(20, max_per_page)`.
    pub max_per_page: u64,
    /// How long the gateway (and the caller) may reuse a read; 0 makes every read fresh.
    pub cache_max_age_seconds: u64,
}

impl ResourcesConfig {
    /// The `Cache-Control` of reads: private to the caller (the gateway keys such responses
    /// per caller), fresh for `cache_max_age_seconds`.
    pub(crate) fn read_cache_control(&self) -> String {
        match self.cache_max_age_seconds {
            0 => "private, no-cache".to_owned(),
            age => format!("private, max-age={age}"),
        }
    }

    pub(crate) const DEFAULT_PER_PAGE: u64 = 20;

    pub(crate) fn default_per_page(&self) -> u64 {
        Self::DEFAULT_PER_PAGE.min(self.max_per_page)
    }
}

impl Default for ResourcesConfig {
    fn default() -> Self {
        Self {
            max_per_page: 100,
            cache_max_age_seconds: 10,
        }
    }
}
