//! The generic cell rate algorithm (GCRA), as used by rate limiters such as redis-cell: each
//! key stores one number, its theoretical arrival time (TAT), and a decision reads and writes
//! it once. The same arithmetic runs in process and, as a Lua script, inside Redis.

use std::time::Duration;

/// `limit` requests per `period`, all of which may come at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
}

impl Quota {
    /// Microseconds between two requests at the sustained rate.
    pub fn emission_interval_us(&self) -> u64 {
        let period = u64::try_from(self.period.as_micros()).unwrap_or(u64::MAX);
        (period / u64::from(self.limit.max(1))).max(1)
    }

    /// How far ahead of now the TAT may run: a full burst.
    pub fn tolerance_us(&self) -> u64 {
        self.emission_interval_us()
            .saturating_mul(u64::from(self.limit.max(1)))
    }
}

/// One decision of the limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub allowed: bool,
    pub limit: u32,
    /// Requests left in the current burst.
    pub remaining: u32,
    /// When the budget is whole again.
    pub reset_after: Duration,
    /// For a refusal: when to try again.
    pub retry_after: Duration,
}

/// The decision for a request at `now_us` against the stored TAT, and the TAT to store if it
/// is allowed.
pub fn decide(
    quota: &Quota,
    stored_tat_us: Option<u64>,
    now_us: u64,
    cost: u32,
) -> (RateDecision, Option<u64>) {
    let interval = quota.emission_interval_us();
    let tolerance = quota.tolerance_us();
    let tat = stored_tat_us.unwrap_or(now_us).max(now_us);
    let new_tat = tat.saturating_add(interval.saturating_mul(u64::from(cost)));
    let allow_at = new_tat.saturating_sub(tolerance);
    if now_us < allow_at {
        let remaining = remaining(tolerance, tat - now_us, interval);
        return (
            RateDecision {
                allowed: false,
                limit: quota.limit,
                remaining,
                reset_after: Duration::from_micros(tat - now_us),
                retry_after: Duration::from_micros(allow_at - now_us),
            },
            None,
        );
    }
    (
        RateDecision {
            allowed: true,
            limit: quota.limit,
            remaining: remaining(tolerance, new_tat - now_us, interval),
            reset_after: Duration::from_micros(new_tat - now_us),
            retry_after: Duration::ZERO,
        },
        Some(new_tat),
    )
}

fn remaining(tolerance: u64, ahead: u64, interval: u64) -> u32 {
    u32::try_from(tolerance.saturating_sub(ahead) / interval).unwrap_or(u32::MAX)
}

/// The same decision inside Redis, atomically, on Redis's clock. Returns
/// `{allowed, tat_before_us_ahead_of_now, new_tat_us_ahead_of_now}`.
pub const REDIS_SCRIPT: &str = r"
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * cost
if now < new_tat - tolerance then
  return {0, tat - now, new_tat - tolerance - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
return {1, new_tat - now, 0}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_the_limit_passes_and_the_next_waits_one_interval() {
        let quota = Quota {
            limit: 3,
            period: Duration::from_secs(3),
        };
        let mut tat = None;
        let now = 1_000_000_000;
        for left in [2, 1, 0] {
            let (decision, new_tat) = decide(&quota, tat, now, 1);
            assert!(decision.allowed);
            assert_eq!(decision.remaining, left);
            tat = new_tat;
        }
        let (refused, unchanged) = decide(&quota, tat, now, 1);
        assert!(!refused.allowed);
        assert_eq!(unchanged, None);
        assert_eq!(refused.retry_after, Duration::from_secs(1));
        let (later, _) = decide(&quota, tat, now + 1_000_000, 1);
        assert!(later.allowed, "one interval later, one more");
    }
}
