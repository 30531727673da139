//! Typed configuration read once from the environment at start-up.
//!
//! Leptos' own runtime options (site address, site root, package dir, output name,
//! environment) come from `Leptos.toml`, overlaid by `LEPTOS_*` variables; everything
//! EventOS itself needs is here.

use crate::platform::client::IpRange;
use std::path::PathBuf;
use std::time::Duration;

/// Printed with `{:?}` in logs and errors, so `Debug` hides the passwords in its URLs.
#[derive(Clone)]
pub struct Config {
    /// PostgreSQL connection string.
    pub database_url: String,
    /// Maximum connections in the pool.
    pub database_max_connections: u32,
    /// Path of the Leptos runtime options file.
    pub leptos_config: PathBuf,
    /// Mark the session cookie `Secure` (set it when served over HTTPS).
    pub cookie_secure: bool,
    /// Sessions end after this much inactivity.
    pub session_idle: Duration,
    /// Sessions end this long after log-in, however active.
    pub session_lifetime: Duration,
    /// Proxies whose `X-Forwarded-For` is believed; the client address is the right-most
    /// entry that is not one of them.
    pub trusted_proxies: Vec<IpRange>,
    /// Log as JSON lines instead of human-readable text.
    pub log_json: bool,
    /// Folder where uploaded files (event covers) are stored and served from under `/media`.
    pub upload_dir: PathBuf,
    /// Load the demo organizer and organization when the database has no users.
    pub seed_demo: bool,
    /// The address people reach the site at, for links in e-mails and payment redirects.
    pub public_url: String,
    /// Send e-mail through this SMTP server (`smtp://user:pass@host:587?tls=required`);
    /// when unset, messages are written to `mailbox_dir` and shown on the "sent mail" page.
    pub smtp_url: Option<String>,
    /// Folder of `.eml` files written when no SMTP server is configured.
    pub mailbox_dir: PathBuf,
    /// The From address of every message.
    pub mail_from: String,
    /// How long an unpaid card order holds its tickets.
    pub order_hold: Duration,
    /// Stripe Checkout, enabled when both the secret key and the webhook secret are set.
    pub stripe: Option<StripeConfig>,
    /// An OpenAI-compatible chat-completions API for the assistant; the built-in assistant
    /// answers when it is unset (and when it cannot be reached).
    pub ai: Option<AiConfig>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_password(&self.database_url))
            .field("database_max_connections", &self.database_max_connections)
            .field("leptos_config", &self.leptos_config)
            .field("cookie_secure", &self.cookie_secure)
            .field("session_idle", &self.session_idle)
            .field("session_lifetime", &self.session_lifetime)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("log_json", &self.log_json)
            .field("upload_dir", &self.upload_dir)
            .field("seed_demo", &self.seed_demo)
            .field("public_url", &self.public_url)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_password))
            .field("mailbox_dir", &self.mailbox_dir)
            .field("mail_from", &self.mail_from)
            .field("order_hold", &self.order_hold)
            .field("stripe", &self.stripe)
            .field("ai", &self.ai)
            .finish()
    }
}

/// `scheme://user:***@host/…` for `scheme://user:password@host/…`; other text unchanged.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[derive(Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    pub webhook_secret: String,
    /// `https://api.stripe.com` unless pointed elsewhere (tests use a local stand-in).
    pub api_base: String,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig").field("api_base", &self.api_base).finish_non_exhaustive()
    }
}

/// A model behind an OpenAI-compatible API: hosted, or a local llama.cpp, Ollama or vLLM.
#[derive(Clone)]
pub struct AiConfig {
    /// Up to the API's version, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    /// How long one request may take before it is retried (and then the built-in assistant answers).
    pub timeout: Duration,
}

impl std::fmt::Debug for AiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiConfig")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "DATABASE_URL is not set; run `scripts/run` (which starts PostgreSQL for you) or set it to a postgres:// URL"
    )]
    MissingDatabaseUrl,
    #[error("{name} has an invalid value {value:?}: {reason}")]
    Invalid { name: &'static str, value: String, reason: &'static str },
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let database_url =
            lookup("DATABASE_URL").filter(|v| !v.trim().is_empty()).ok_or(ConfigError::MissingDatabaseUrl)?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                value: database_url,
                reason: "expected a postgres:// URL",
            });
        }
        Ok(Config {
            database_url,
            database_max_connections: parse_number(&lookup, "DATABASE_MAX_CONNECTIONS", 20)?,
            leptos_config: lookup("EVENTOS_LEPTOS_CONFIG").unwrap_or_else(|| "Leptos.toml".into()).into(),
            cookie_secure: parse_bool(&lookup, "COOKIE_SECURE", false)?,
            session_idle: Duration::from_secs(60 * 60 * parse_number::<u64>(&lookup, "SESSION_IDLE_HOURS", 24 * 14)?),
            session_lifetime: Duration::from_secs(24 * 60 * 60 * parse_number::<u64>(&lookup, "SESSION_MAX_DAYS", 30)?),
            trusted_proxies: trusted_proxies(&lookup)?,
            log_json: lookup("LOG_FORMAT").is_some_and(|v| v.eq_ignore_ascii_case("json")),
            seed_demo: parse_bool(&lookup, "SEED_DEMO", false)?,
            upload_dir: lookup("UPLOAD_DIR")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| ".data/uploads".into())
                .into(),
            public_url: lookup("PUBLIC_URL")
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().trim_end_matches('/').to_owned())
                .unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            smtp_url: lookup("SMTP_URL").filter(|v| !v.trim().is_empty()),
            mailbox_dir: lookup("MAILBOX_DIR")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| ".data/mailbox".into())
                .into(),
            mail_from: lookup("MAIL_FROM")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "EventOS Tickets <tickets@eventos.local>".into()),
            order_hold: Duration::from_secs(60 * parse_number::<u64>(&lookup, "ORDER_HOLD_MINUTES", 15)?),
            stripe: stripe_config(&lookup)?,
            ai: ai_config(&lookup)?,
        })
    }
}

fn trusted_proxies(lookup: &impl Fn(&str) -> Option<String>) -> Result<Vec<IpRange>, ConfigError> {
    let Some(value) = lookup("TRUSTED_PROXIES") else { return Ok(Vec::new()) };
    value
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            entry.parse().map_err(|_| ConfigError::Invalid {
                name: "TRUSTED_PROXIES",
                value: value.clone(),
                reason: "expected addresses or ranges like 10.0.0.0/8, separated by commas",
            })
        })
        .collect()
}

fn ai_config(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<AiConfig>, ConfigError> {
    let Some(base_url) = lookup("EVENTOS_AI_BASE_URL").filter(|v| !v.trim().is_empty()) else { return Ok(None) };
    let base_url = base_url.trim().trim_end_matches('/').to_owned();
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(ConfigError::Invalid {
            name: "EVENTOS_AI_BASE_URL",
            value: base_url,
            reason: "expected an http(s):// URL",
        });
    }
    let model = lookup("EVENTOS_AI_MODEL").filter(|v| !v.trim().is_empty()).ok_or(ConfigError::Invalid {
        name: "EVENTOS_AI_MODEL",
        value: String::new(),
        reason: "is required when EVENTOS_AI_BASE_URL is set (the model's name, e.g. gpt-4o-mini or llama3.1)",
    })?;
    Ok(Some(AiConfig {
        base_url,
        api_key: lookup("EVENTOS_AI_API_KEY").filter(|v| !v.trim().is_empty()),
        model: model.trim().to_owned(),
        timeout: Duration::from_secs(parse_number::<u64>(lookup, "EVENTOS_AI_TIMEOUT_SECS", 30)?.max(1)),
    }))
}

fn stripe_config(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<StripeConfig>, ConfigError> {
    let secret_key = lookup("STRIPE_SECRET_KEY").filter(|v| !v.trim().is_empty());
    let webhook_secret = lookup("STRIPE_WEBHOOK_SECRET").filter(|v| !v.trim().is_empty());
    match (secret_key, webhook_secret) {
        (Some(secret_key), Some(webhook_secret)) => Ok(Some(StripeConfig {
            secret_key,
            webhook_secret,
            api_base: lookup("STRIPE_API_BASE")
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().trim_end_matches('/').to_owned())
                .unwrap_or_else(|| "https://api.stripe.com".into()),
        })),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ConfigError::Invalid {
            name: "STRIPE_WEBHOOK_SECRET",
            value: String::new(),
            reason: "is required when STRIPE_SECRET_KEY is set (payments are confirmed only by the webhook)",
        }),
        (None, Some(_)) => Err(ConfigError::Invalid {
            name: "STRIPE_SECRET_KEY",
            value: String::new(),
            reason: "is required when STRIPE_WEBHOOK_SECRET is set",
        }),
    }
}

fn parse_bool(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(value) => match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::Invalid { name, value, reason: "expected true or false" }),
        },
    }
}

fn parse_number<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(value) => {
            value.trim().parse().map_err(|_| ConfigError::Invalid { name, value, reason: "expected a whole number" })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn a_missing_database_url_is_reported_by_name() {
        let error = config_from(&[]).unwrap_err();
        assert!(error.to_string().contains("DATABASE_URL"));
    }

    #[test]
    fn defaults_apply_when_only_the_database_url_is_set() {
        let config = config_from(&[("DATABASE_URL", "postgres://localhost/eventos")]).unwrap();
        assert!(!config.cookie_secure);
        assert!(!config.seed_demo, "a production start must never create a known login");
        assert!(config.trusted_proxies.is_empty());
        assert_eq!(config.session_lifetime, Duration::from_secs(30 * 24 * 3600));
        assert_eq!(config.session_idle, Duration::from_secs(14 * 24 * 3600));
        assert_eq!(config.order_hold, Duration::from_secs(15 * 60));
        assert!(config.smtp_url.is_none() && config.stripe.is_none());
    }

    #[test]
    fn stripe_needs_both_its_secrets() {
        let error = config_from(&[("DATABASE_URL", "postgres://x/y"), ("STRIPE_SECRET_KEY", "sk_test_1")]).unwrap_err();
        assert!(error.to_string().contains("STRIPE_WEBHOOK_SECRET"));
        let config = config_from(&[
            ("DATABASE_URL", "postgres://x/y"),
            ("STRIPE_SECRET_KEY", "sk_test_1"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_1"),
        ])
        .unwrap();
        assert_eq!(config.stripe.unwrap().api_base, "https://api.stripe.com");
    }

    #[test]
    fn debug_output_hides_database_and_smtp_passwords() {
        let config = config_from(&[
            ("DATABASE_URL", "postgres://eventos:db-secret@db.internal:5432/eventos"),
            ("SMTP_URL", "smtp://mailer:smtp-secret@smtp.example.com:587?tls=required"),
            ("STRIPE_SECRET_KEY", "sk_live_secret"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_secret"),
        ])
        .unwrap();
        let printed = format!("{config:?}");
        for secret in ["db-secret", "smtp-secret", "sk_live_secret", "whsec_secret"] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
        assert!(printed.contains("postgres://eventos:***@db.internal:5432/eventos"), "{printed}");
        assert!(printed.contains("smtp://mailer:***@smtp.example.com:587?tls=required"), "{printed}");
    }

    #[test]
    fn trusted_proxies_are_read_as_addresses_and_ranges() {
        let config =
            config_from(&[("DATABASE_URL", "postgres://x/y"), ("TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")])
                .unwrap();
        assert_eq!(config.trusted_proxies.len(), 3);
        let error = config_from(&[("DATABASE_URL", "postgres://x/y"), ("TRUSTED_PROXIES", "10.0.0.0/33")]).unwrap_err();
        assert!(error.to_string().contains("TRUSTED_PROXIES"));
    }

    #[test]
    fn a_malformed_boolean_is_refused_with_its_name() {
        let error = config_from(&[("DATABASE_URL", "postgres://x/y"), ("COOKIE_SECURE", "maybe")]).unwrap_err();
        assert!(error.to_string().contains("COOKIE_SECURE"));
    }
}
