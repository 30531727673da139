use super::*;

fn currency(code: &str) -> Currency {
    Currency::parse(code).unwrap()
}

#[test]
fn currencies_parse_from_a_code_in_any_case_and_unknown_ones_are_refused() {
    assert_eq!(Currency::parse(" eur ").map(Currency::code), Ok("EUR"));
    assert_eq!(Currency::parse("Jpy").map(Currency::decimals), Ok(0));
    assert_eq!(Currency::parse("KWD").map(Currency::decimals), Ok(3));
    for unknown in ["XYZ", "", "dollars", "EURO"] {
        assert_eq!(Currency::parse(unknown), Err("Choose a currency from the list.".into()), "{unknown:?}");
    }
    assert_eq!(Currency::from_code("cad"), None, "stored codes are exact");
    assert_eq!(Currency::ALL[0], Currency::CAD, "the default comes first");
}

#[test]
fn every_offered_currency_has_a_distinct_code_and_symbol() {
    for (i, a) in Currency::ALL.iter().enumerate() {
        assert!(a.code().len() == 3 && a.code().chars().all(|c| c.is_ascii_uppercase()), "{a:?}");
        for b in &Currency::ALL[i + 1..] {
            assert_ne!(a.code(), b.code());
            assert_ne!(a.symbol(), b.symbol(), "{} and {} would read the same", a.code(), b.code());
        }
    }
}

#[test]
fn prices_format_with_the_currency_symbol_decimals_and_grouping() {
    assert_eq!(format_price(0, "CAD"), "Free");
    assert_eq!(format_price(2500, "CAD"), "$25.00");
    assert_eq!(format_price(123_456_789, "CAD"), "$1,234,567.89");
    assert_eq!(format_price(123_450, "USD"), "US$1,234.50");
    assert_eq!(format_price(123_450, "EUR"), "€1,234.50");
    assert_eq!(format_price(5, "GBP"), "£0.05");
    assert_eq!(format_price(1235, "JPY"), "¥1,235");
    assert_eq!(format_price(1500, "KWD"), "KWD 1.500");
    assert_eq!(format_price(1_234_567, "KWD"), "KWD 1,234.567");
    assert_eq!(format_price(-250, "CAD"), "-$2.50");
    assert_eq!(format_price(199_900, "XYZ"), "1,999.00 XYZ", "an unknown code still reads");
}

#[test]
fn plain_amounts_have_the_currency_decimals_and_no_symbol() {
    assert_eq!(format_amount(2500, "CAD"), "25.00");
    assert_eq!(format_amount(2500, "JPY"), "2500");
    assert_eq!(format_amount(1500, "KWD"), "1.500");
    assert_eq!(format_amount(0, "EUR"), "0.00");
}

#[test]
fn prices_parse_from_what_people_type_in_cad() {
    let cad = Currency::CAD;
    assert_eq!(cad.parse_price("25"), Ok(2500));
    assert_eq!(cad.parse_price("$1,250.5"), Ok(125_050));
    assert_eq!(cad.parse_price(" CAD 12.50 "), Ok(1250));
    assert_eq!(cad.parse_price("12.50 cad"), Ok(1250));
    assert_eq!(cad.parse_price("0"), Ok(0));
    assert_eq!(cad.parse_price(".99"), Ok(99));
    assert!(cad.parse_price("-5").unwrap_err().contains("negative"));
    assert_eq!(cad.parse_price("12.345"), Err("Prices in CAD have at most 2 decimals.".into()));
    assert_eq!(cad.parse_price("ten"), Err("Enter a price like 25 or 25.50.".into()));
    assert_eq!(cad.parse_price("12,50"), Err("Enter a price like 25 or 25.50.".into()), "a comma groups thousands");
    assert_eq!(cad.parse_price(""), Err("Enter a price (0 for free).".into()));
    assert_eq!(cad.parse_price("1000000"), Ok(MAX_PRICE));
    assert_eq!(cad.parse_price("1000000.01"), Err("Prices above $1,000,000.00 are not supported.".into()));
    assert!(cad.parse_price("99999999999999999999").is_err());
}

#[test]
fn prices_parse_with_the_symbol_of_usd_and_eur() {
    assert_eq!(currency("USD").parse_price("US$1,234.50"), Ok(123_450));
    assert_eq!(currency("USD").parse_price("$19.99"), Ok(1999));
    assert_eq!(currency("USD").parse_price("19.99 USD"), Ok(1999));
    assert_eq!(currency("EUR").parse_price("€25"), Ok(2500));
    assert_eq!(currency("EUR").parse_price("25,00 €"), Err("Enter a price like 25 or 25.50.".into()));
    assert_eq!(currency("EUR").parse_price("25.00 €"), Ok(2500));
    assert!(currency("EUR").parse_price("£25").is_err(), "another currency's symbol is not this one");
}

#[test]
fn yen_prices_are_whole_numbers() {
    let jpy = currency("JPY");
    assert_eq!(jpy.parse_price("¥2,500"), Ok(2500));
    assert_eq!(jpy.parse_price("1500"), Ok(1500));
    assert_eq!(jpy.parse_price("1500."), Ok(1500));
    assert_eq!(jpy.parse_price("12.5"), Err("Prices in JPY have no decimals; enter a whole amount like 2500.".into()));
    assert_eq!(jpy.parse_price("abc"), Err("Enter a price in whole JPY, like 2500.".into()));
    assert_eq!(jpy.parse_price("100000001"), Err("Prices above ¥100,000,000 are not supported.".into()));
}

#[test]
fn dinar_prices_have_three_decimals() {
    let kwd = currency("KWD");
    assert_eq!(kwd.parse_price("1.250"), Ok(1250));
    assert_eq!(kwd.parse_price("KWD 1.5"), Ok(1500));
    assert_eq!(kwd.parse_price("kwd 2"), Ok(2000));
    assert_eq!(kwd.parse_price("1.2505"), Err("Prices in KWD have at most 3 decimals.".into()));
    assert_eq!(kwd.parse_price("x"), Err("Enter a price like 25 or 25.500.".into()));
}

#[test]
fn amounts_round_trip_through_their_plain_form() {
    for c in Currency::ALL {
        for minor in [0, 1, 99, 1000, 123_456, MAX_PRICE] {
            assert_eq!(c.parse_price(&c.amount(minor)), Ok(minor), "{} {minor}", c.code());
            assert_eq!(c.parse_price(&c.format(minor)), Ok(minor), "{} {minor}", c.code());
        }
    }
}

#[test]
fn currencies_read_well_in_a_list() {
    assert_eq!(currency("EUR").label(), "EUR — Euro (€)");
    assert_eq!(currency("CHF").label(), "CHF — Swiss franc");
}
