//! [`LimitSettings`]: the configured rates and the in-flight cap.

use std::time::Duration;

/// A request rate: `per_minute` on average, `burst` of them at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    /// The time one request's cell takes to come back.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(60) / self.per_minute.max(1)
    }

    /// The seconds a whole burst takes to come back, at least one: the window `w` of the
    /// `RateLimit-Policy` header, in which `burst` requests (`q`) may be made.
    pub fn window_secs(&self) -> u64 {
        (self.interval() * self.burst.max(1))
            .as_secs_f64()
            .ceil()
            .max(1.0) as u64
    }

    fn check(&self, name: &str) -> Result<(), String> {
        if !(1..=6_000_000).contains(&self.per_minute) {
            return Err(format!(
                "{name}_per_minute must be between 1 and 6000000, got {}",
                self.per_minute
            ));
        }
        if !(1..=1_000_000).contains(&self.burst) {
            return Err(format!(
                "{name}_burst must be between 1 and 1000000, got {}",
                self.burst
            ));
        }
        Ok(())
    }
}

/// What one API key, one tenant and one connection may ask of this replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LimitSettings {
    /// Off: no rates and no in-flight cap (benchmarks that drive one key at full speed).
    pub enabled: bool,
    /// Each API key's requests.
    pub key: Rate,
    /// A tenant's requests, all its keys together.
    pub tenant: Rate,
    /// Calls to a vendor through one connection at once (unified resources and passthrough).
    pub connection_in_flight: u32,
}

impl Default for LimitSettings {
    /// The values of `config/default.toml`.
    fn default() -> Self {
        Self {
            enabled: true,
            key: Rate {
                per_minute: 6_000,
                burst: 200,
            },
            tenant: Rate {
                per_minute: 18_000,
                burst: 600,
            },
            connection_in_flight: 64,
        }
    }
}

impl LimitSettings {
    /// Whether the values can work; the error names the setting (as `[limits]` names it).
    pub fn validate(&self) -> Result<(), String> {
        self.key.check("key")?;
        self.tenant.check("tenant")?;
        if !(1..=100_000).contains(&self.connection_in_flight) {
            return Err(format!(
                "connection_in_flight must be between 1 and 100000, got {}",
                self.connection_in_flight
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_values_that_cannot_work_are_refused_by_name() {
        let ok = LimitSettings::default();
        ok.validate().unwrap();
        let mut bad = ok;
        bad.key.per_minute = 0;
        assert!(bad.validate().unwrap_err().starts_with("key_per_minute"));
        let mut bad = ok;
        bad.tenant.burst = 0;
        assert!(bad.validate().unwrap_err().starts_with("tenant_burst"));
        let mut bad = ok;
        bad.connection_in_flight = 0;
        assert!(
            bad.validate()
                .unwrap_err()
                .starts_with("connection_in_flight")
        );
    }

    #[test]
    fn the_policy_window_is_the_time_a_whole_burst_takes_to_come_back() {
        let rate = Rate {
            per_minute: 6_000,
            burst: 200,
        };
        assert_eq!(rate.interval(), Duration::from_millis(10));
        assert_eq!(rate.window_secs(), 2);
        let slow = Rate {
            per_minute: 1,
            burst: 3,
        };
        assert_eq!(slow.window_secs(), 180);
        let fast = Rate {
            per_minute: 6_000_000,
            burst: 1,
        };
        assert_eq!(fast.window_secs(), 1);
    }
}
