//! Splitting an organizer's sentence into words, numbers and marks, keeping where each came
//! from so names and venues are given back exactly as they were typed.

/// One number as written: `1,250.50` is 1250 with the fraction "50".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    pub int: u64,
    /// The digits after a decimal point, as written ("5" in 2.5, "50" in 12.50).
    pub fraction: Option<String>,
    /// Digits before the point, as written (a leading zero counts: "09" has 2).
    pub digits: usize,
    /// Written with thousands separators ("1,200").
    pub grouped: bool,
    /// Written as an ordinal ("12th", "1st").
    pub ordinal: bool,
}

impl Number {
    /// The value in hundredths: 12.5 is 1250, 299 is 29900.
    pub fn hundredths(&self) -> u64 {
        let fraction = match self.fraction.as_deref() {
            None => 0,
            Some(f) => {
                let padded: String = f.chars().chain("00".chars()).take(2).collect();
                padded.parse().unwrap_or(0)
            }
        };
        self.int.saturating_mul(100).saturating_add(fraction)
    }

    pub fn is_whole(&self) -> bool {
        self.fraction.is_none()
    }

    /// The number as a small whole value, when it is one.
    pub fn small(&self) -> Option<u32> {
        if self.is_whole() && self.int <= u32::MAX as u64 { Some(self.int as u32) } else { None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Lowercased letters (and digits after the first letter, and inner apostrophes).
    Word(String),
    Number(Number),
    Mark(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Byte offsets of the token in the original text.
    pub start: usize,
    pub end: usize,
    /// Whitespace separates it from the token before.
    pub spaced: bool,
}

impl Token {
    pub fn word(&self) -> Option<&str> {
        match &self.kind {
            Kind::Word(w) => Some(w),
            _ => None,
        }
    }

    pub fn number(&self) -> Option<&Number> {
        match &self.kind {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn is_word(&self, word: &str) -> bool {
        self.word() == Some(word)
    }

    pub fn is_any_word(&self, words: &[&str]) -> bool {
        self.word().is_some_and(|w| words.contains(&w))
    }

    pub fn is_mark(&self, mark: char) -> bool {
        self.kind == Kind::Mark(mark)
    }

    pub fn is_dash(&self) -> bool {
        matches!(self.kind, Kind::Mark('-' | '–' | '—'))
    }
}

/// A sentence cut into tokens, with the original text to give spans back from.
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    pub text: &'a str,
    pub list: Vec<Token>,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokens { text, list: merge_meridiems(split(text)) }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn get(&self, i: usize) -> Option<&Token> {
        self.list.get(i)
    }

    pub fn word(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(Token::word)
    }

    pub fn number(&self, i: usize) -> Option<&Number> {
        self.get(i).and_then(Token::number)
    }

    pub fn is_word(&self, i: usize, word: &str) -> bool {
        self.get(i).is_some_and(|t| t.is_word(word))
    }

    pub fn is_any_word(&self, i: usize, words: &[&str]) -> bool {
        self.get(i).is_some_and(|t| t.is_any_word(words))
    }

    pub fn is_mark(&self, i: usize, mark: char) -> bool {
        self.get(i).is_some_and(|t| t.is_mark(mark))
    }

    pub fn is_dash(&self, i: usize) -> bool {
        self.get(i).is_some_and(Token::is_dash)
    }

    /// The text as typed from token `from` to token `to` (inclusive).
    pub fn raw(&self, from: usize, to: usize) -> &'a str {
        &self.text[self.list[from].start..self.list[to].end]
    }

    /// The token as typed.
    pub fn raw_one(&self, i: usize) -> &'a str {
        self.raw(i, i)
    }

    /// Whether the token was typed starting with a capital letter or a digit.
    pub fn capitalised(&self, i: usize) -> bool {
        self.raw_one(i).chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    }

    /// Whether the token ends a sentence: `.`, `!` or `?` followed by a space or the end.
    pub fn ends_sentence(&self, i: usize) -> bool {
        let Some(t) = self.get(i) else { return true };
        matches!(t.kind, Kind::Mark('!' | '?' | '\n'))
            || (t.is_mark('.') && self.get(i + 1).is_none_or(|next| next.spaced))
    }
}

fn split(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o);
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while let Some(c) = at(i) {
        if c == '\n' {
            tokens.push(Token { kind: Kind::Mark('\n'), start: offset(i), end: offset(i + 1), spaced });
            spaced = true;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            spaced = true;
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() {
            let (number, next) = read_number(&chars, i);
            i = next;
            tokens.push(Token { kind: Kind::Number(number), start: offset(start), end: offset(i), spaced });
        } else if c.is_alphabetic() {
            while let Some(c) = at(i) {
                let inner_apostrophe =
                    matches!(c, '\'' | '’') && at(i + 1).is_some_and(char::is_alphabetic) && i > start;
                if c.is_alphanumeric() || inner_apostrophe {
                    i += 1;
                } else {
                    break;
                }
            }
            let word = text[offset(start)..offset(i)].to_lowercase().replace('’', "'");
            tokens.push(Token { kind: Kind::Word(word), start: offset(start), end: offset(i), spaced });
        } else {
            i += 1;
            tokens.push(Token { kind: Kind::Mark(c), start: offset(start), end: offset(i), spaced });
        }
        spaced = false;
    }
    tokens
}

/// Reads digits from `i`: thousands groups, a decimal fraction and an ordinal suffix.
fn read_number(chars: &[(usize, char)], mut i: usize) -> (Number, usize) {
    let digit = |i: usize| chars.get(i).is_some_and(|&(_, c)| c.is_ascii_digit());
    let ch = |i: usize| chars.get(i).map(|&(_, c)| c);
    let mut int_text = String::new();
    while digit(i) {
        int_text.push(ch(i).unwrap_or('0'));
        i += 1;
    }
    let digits = int_text.len();
    let mut grouped = false;
    // "1,200" but not "12, 2027" nor "1,2000".
    while ch(i) == Some(',') && (1..=3).all(|k| digit(i + k)) && !digit(i + 4) && (grouped || digits <= 3) {
        for k in 1..=3 {
            int_text.push(ch(i + k).unwrap_or('0'));
        }
        grouped = true;
        i += 4;
    }
    let mut fraction = None;
    if ch(i) == Some('.') && digit(i + 1) {
        let mut f = String::new();
        let mut j = i + 1;
        while digit(j) {
            f.push(ch(j).unwrap_or('0'));
            j += 1;
        }
        // "12.03.2027" is a date, not a fraction: leave the dots as marks.
        if !(ch(j) == Some('.') && digit(j + 1)) {
            fraction = Some(f);
            i = j;
        }
    }
    let mut ordinal = false;
    let suffix: String = chars[i.min(chars.len())..].iter().take(3).map(|&(_, c)| c.to_ascii_lowercase()).collect();
    for s in ["st", "nd", "rd", "th"] {
        if suffix.starts_with(s) && !suffix[2..].chars().next().is_some_and(char::is_alphabetic) {
            ordinal = true;
            i += 2;
            break;
        }
    }
    let int = int_text.parse().unwrap_or(u64::MAX);
    (Number { int, fraction, digits, grouped, ordinal }, i)
}

/// "a.m." and "p. m." become the words "am" and "pm".
fn merge_meridiems(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let is = |k: usize, f: &dyn Fn(&Token) -> bool| tokens.get(i + k).is_some_and(f);
        if t.is_any_word(&["a", "p"]) && is(1, &|n| n.is_mark('.')) && is(2, &|n| n.is_word("m")) {
            let word = if t.is_word("a") { "am" } else { "pm" };
            let mut end = tokens[i + 2].end;
            let mut used = 3;
            if is(3, &|n| n.is_mark('.') && !n.spaced) {
                end = tokens[i + 3].end;
                used = 4;
            }
            out.push(Token { kind: Kind::Word(word.into()), start: t.start, end, spaced: t.spaced });
            i += used;
        } else {
            out.push(t.clone());
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        Tokens::new(text)
            .list
            .iter()
            .map(|t| match &t.kind {
                Kind::Word(w) => w.clone(),
                Kind::Number(n) => {
                    format!("#{}{}", n.int, n.fraction.as_ref().map(|f| format!(".{f}")).unwrap_or_default())
                }
                Kind::Mark(c) => c.to_string(),
            })
            .collect()
    }

    #[test]
    fn numbers_keep_their_groups_fractions_and_ordinals() {
        assert_eq!(kinds("$1,250.50 on March 12th, 2027"), ["$", "#1250.50", "on", "march", "#12", ",", "#2027"]);
        assert_eq!(kinds("9am–5pm"), ["#9", "am", "–", "#5", "pm"]);
        assert_eq!(kinds("6:30 p.m."), ["#6", ":", "#30", "pm"]);
    }

    #[test]
    fn words_keep_inner_apostrophes_and_are_lowercased() {
        assert_eq!(kinds("Toronto's 'til"), ["toronto's", "'", "til"]);
        let tokens = Tokens::new("The Drake");
        assert_eq!(tokens.raw(0, 1), "The Drake");
        assert!(tokens.capitalised(1));
    }
}
