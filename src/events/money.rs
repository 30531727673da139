//! The currencies an event can be priced in (ISO 4217) and amounts in a currency's minor
//! units: cents for CAD, whole yen for JPY, fils (thousandths) for KWD, as Stripe counts
//! them. Every `*_cents` column holds minor units of its row's currency.

/// The highest price a tier may have, in minor units (the `ticket_tiers` CHECK).
pub const MAX_PRICE: i64 = 100_000_000;

/// A currency organizers can price an event in, and how people write its amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: &'static str,
    name: &'static str,
    /// Written before the amount: a symbol that cannot be mistaken ("€", "US$"), or the
    /// code and a space ("CHF ").
    prefix: &'static str,
    /// Digits after the decimal point: 2 for cents, 0 for yen, 3 for fils.
    decimals: u32,
}

const fn currency(code: &'static str, name: &'static str, prefix: &'static str, decimals: u32) -> Currency {
    Currency { code, name, prefix, decimals }
}

impl Currency {
    /// The default: EventOS started in Canada, where a bare `$` means Canadian dollars.
    pub const CAD: Currency = currency("CAD", "Canadian dollar", "$", 2);

    /// Every currency offered, the default first.
    pub const ALL: &'static [Currency] = &[
        Currency::CAD,
        currency("USD", "US dollar", "US$", 2),
        currency("EUR", "Euro", "€", 2),
        currency("GBP", "Pound sterling", "£", 2),
        currency("AUD", "Australian dollar", "A$", 2),
        currency("NZD", "New Zealand dollar", "NZ$", 2),
        currency("CHF", "Swiss franc", "CHF ", 2),
        currency("JPY", "Japanese yen", "¥", 0),
        currency("MXN", "Mexican peso", "MX$", 2),
        currency("INR", "Indian rupee", "₹", 2),
        currency("SEK", "Swedish krona", "SEK ", 2),
        currency("NOK", "Norwegian krone", "NOK ", 2),
        currency("DKK", "Danish krone", "DKK ", 2),
        currency("PLN", "Polish złoty", "PLN ", 2),
        currency("BRL", "Brazilian real", "R$", 2),
        currency("SGD", "Singapore dollar", "S$", 2),
        currency("HKD", "Hong Kong dollar", "HK$", 2),
        currency("ZAR", "South African rand", "ZAR ", 2),
        currency("KRW", "South Korean won", "₩", 0),
        currency("KWD", "Kuwaiti dinar", "KWD ", 3),
        currency("BHD", "Bahraini dinar", "BHD ", 3),
        currency("JOD", "Jordanian dinar", "JOD ", 3),
    ];

    /// A currency chosen by a person: its code, in any case, with spaces around.
    pub fn parse(input: &str) -> Result<Currency, String> {
        let code = input.trim();
        Self::ALL.iter().find(|c| c.code.eq_ignore_ascii_case(code)).copied().ok_or_else(|| Self::UNKNOWN.into())
    }

    const UNKNOWN: &'static str = "Choose a currency from the list.";

    /// The currency of a stored code ("CAD"), if it is one EventOS offers.
    pub fn from_code(code: &str) -> Option<Currency> {
        Self::ALL.iter().find(|c| c.code == code).copied()
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    pub fn name(self) -> &'static str {
        self.name
    }

    /// "€", "US$", or the code for currencies written with it ("CHF").
    pub fn symbol(self) -> &'static str {
        self.prefix.trim_end()
    }

    pub fn decimals(self) -> u32 {
        self.decimals
    }

    /// How the currency reads in a list: "EUR — Euro (€)", "CHF — Swiss franc".
    pub fn label(self) -> String {
        if self.symbol() == self.code {
            format!("{} — {}", self.code, self.name)
        } else {
            format!("{} — {} ({})", self.code, self.name, self.symbol())
        }
    }

    /// An amount for people: "$1,234.50", "US$19.99", "¥1,235", "KWD 1.500".
    pub fn format(self, minor_units: i64) -> String {
        let sign = if minor_units < 0 { "-" } else { "" };
        format!("{sign}{}{}", self.prefix, digits(minor_units, self.decimals, true))
    }

    /// An amount as a form field or a machine wants it, without symbol or grouping:
    /// "1234.50", "1235", "1.500".
    pub fn amount(self, minor_units: i64) -> String {
        let sign = if minor_units < 0 { "-" } else { "" };
        format!("{sign}{}", digits(minor_units, self.decimals, false))
    }

    /// Parses a price typed by an organizer ("25", "25.5", "$1,250.00", "€25", "1.250" in
    /// KWD) into minor units, with at most this currency's decimals.
    pub fn parse_price(self, input: &str) -> Result<i64, String> {
        let text = self.strip_marks(input.trim());
        if text.is_empty() {
            return Err("Enter a price (0 for free).".into());
        }
        if text.starts_with('-') {
            return Err("A price cannot be negative.".into());
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let whole = match ungroup(whole) {
            Some(whole)
                if fraction.chars().all(|c| c.is_ascii_digit()) && !(whole.is_empty() && fraction.is_empty()) =>
            {
                whole
            }
            _ => return Err(self.example()),
        };
        if fraction.len() > self.decimals as usize {
            return Err(match self.decimals {
                0 => format!("Prices in {} have no decimals; enter a whole amount like 2500.", self.code),
                n => format!("Prices in {} have at most {n} decimals.", self.code),
            });
        }
        let too_large = || format!("Prices above {} are not supported.", self.format(MAX_PRICE));
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_large())? };
        let fraction: i64 = format!("{fraction:0<width$}", width = self.decimals as usize).parse().unwrap_or(0);
        let minor = whole.checked_mul(10_i64.pow(self.decimals)).and_then(|m| m.checked_add(fraction));
        minor.filter(|m| *m <= MAX_PRICE).ok_or_else(too_large)
    }

    fn example(self) -> String {
        match self.decimals {
            0 => format!("Enter a price in whole {}, like 2500.", self.code),
            n => format!("Enter a price like 25 or 25.{:0<width$}.", 5, width = n as usize),
        }
    }

    /// Drops the currency's symbol or code (and a bare `$`) written before or after the number.
    fn strip_marks(self, text: &str) -> &str {
        let marks = [self.symbol(), self.code, "$"];
        let mut text = text;
        if let Some(rest) = marks.iter().find_map(|m| strip_prefix_ignoring_case(text, m)) {
            text = rest.trim_start();
        }
        if let Some(rest) = marks.iter().find_map(|m| strip_suffix_ignoring_case(text, m)) {
            text = rest.trim_end();
        }
        text
    }
}

/// Formats minor units for people in the currency with that code: "$25.00", "€25.00",
/// "¥2,500", or `Free` for zero. A code EventOS does not offer reads "1,234.50 XYZ".
pub fn format_price(minor_units: i64, currency: &str) -> String {
    if minor_units == 0 {
        return "Free".into();
    }
    match Currency::from_code(currency) {
        Some(c) => c.format(minor_units),
        None => {
            let sign = if minor_units < 0 { "-" } else { "" };
            format!("{sign}{} {currency}", digits(minor_units, 2, true))
        }
    }
}

/// Formats an amount of money for people, zero included ("$0.00"): revenue, refunds, totals.
pub fn format_money(minor_units: i64, currency: &str) -> String {
    match Currency::from_code(currency) {
        Some(c) => c.format(minor_units),
        None => format_price(minor_units, currency),
    }
}

/// Minor units as a plain decimal in the currency with that code ("25.00", "2500",
/// "1.500"), for structured data and notes; an unknown code is read with 2 decimals.
pub fn format_amount(minor_units: i64, currency: &str) -> String {
    match Currency::from_code(currency) {
        Some(c) => c.amount(minor_units),
        None => Currency::CAD.amount(minor_units),
    }
}

/// The absolute value of `minor_units` with `decimals` digits after the point, the whole
/// part grouped by thousands when `group` is set.
fn digits(minor_units: i64, decimals: u32, group: bool) -> String {
    let value = minor_units.unsigned_abs();
    let scale = 10_u64.pow(decimals);
    let whole = (value / scale).to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if group && i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if decimals > 0 {
        out.push_str(&format!(".{:0width$}", value % scale, width = decimals as usize));
    }
    out
}

/// The digits of a whole part written with or without thousands separators ("1,250",
/// "1 250", "1250"); `None` when separators are misplaced ("12,50" is not twelve-fifty).
fn ungroup(whole: &str) -> Option<String> {
    let groups: Vec<&str> = whole.split([',', ' ']).collect();
    let well_formed = groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && (groups.len() == 1 || (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3));
    well_formed.then(|| groups.concat())
}

fn strip_prefix_ignoring_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.get(..prefix.len()).filter(|head| head.eq_ignore_ascii_case(prefix)).map(|_| &text[prefix.len()..])
}

fn strip_suffix_ignoring_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let start = text.len().checked_sub(suffix.len())?;
    text.get(start..).filter(|tail| tail.eq_ignore_ascii_case(suffix)).map(|_| &text[..start])
}

#[cfg(test)]
mod tests;
