//! Numbers as the user wrote them ([`Num`]), and the one check most number attributes
//! need: a whole number within bounds, with a message that quotes the value and names
//! the attribute as written (`number = 1e300 is out of range: use 1 to 999`).
//!
//! Owns: the decoding of a cty number that a float64 cannot hold, and its display.
//! Must not: know any attribute's meaning (callers pass the range text).

use super::model::{FromValue, ModelError, Tf, ToValue};
use super::{AttrPath, Diagnostics, Value};

/// A number of the configuration as Terraform sent it. A cty number that a float64 cannot
/// hold exactly (such as `1e300`) travels as its decimal text; it is kept, so the state
/// echoes it unchanged and messages quote the user's value rather than "not a number".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Num {
    pub value: f64,
    /// The decimal text, when Terraform sent the number as text.
    pub text: Option<String>,
}

impl From<f64> for Num {
    fn from(value: f64) -> Num {
        Num { value, text: None }
    }
}

impl std::fmt::Display for Num {
    /// The number as the user would write it: `25`, `1.5`, `1e300`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(t) = self.text.as_deref().filter(|t| t.len() <= 24) {
            // Sent as text because a float64 cannot hold it exactly: quote it as written.
            f.write_str(t)
        } else if self.value.is_finite() && self.value.abs() < 1e15 {
            write!(f, "{}", self.value)
        } else if self.value.is_finite() {
            write!(f, "{:e}", self.value)
        } else {
            // Beyond a float64 (1e400): the text itself, shortened.
            let t = self.text.as_deref().unwrap_or("a number beyond 1e308");
            match t.chars().count() {
                n if n > 24 => write!(
                    f,
                    "{}… ({n} digits)",
                    t.chars().take(12).collect::<String>()
                ),
                _ => f.write_str(t),
            }
        }
    }
}

impl FromValue for Num {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        match v.inner() {
            Value::Number(n) => Ok(Num::from(*n)),
            Value::String(s)
                if !s.is_empty()
                    && s.chars().all(|c| {
                        c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')
                    }) =>
            {
                match s.parse::<f64>() {
                    Ok(value) => Ok(Num {
                        value,
                        text: Some(s.clone()),
                    }),
                    Err(_) => f64::from_value(v, path).map(Num::from),
                }
            }
            // Not a number: the framework's error, naming what was found.
            _ => f64::from_value(v, path).map(Num::from),
        }
    }
}

impl ToValue for Num {
    fn to_value(&self) -> Value {
        match &self.text {
            Some(t) => Value::String(t.clone()),
            None => Value::Number(self.value),
        }
    }
}

/// A whole number of at most `largest` in magnitude, or an error on `path` that quotes the
/// user's value and names the attribute as written (`subnets["genai"].prefix_length`);
/// `range` says which values to use ("use 1 to 999"). Unknown and null give `None`
/// without a diagnostic; callers check the narrower range (and quote it) themselves.
pub fn whole(
    n: &Tf<Num>,
    path: AttrPath,
    largest: f64,
    range: &str,
    diags: &mut Diagnostics,
) -> Option<i64> {
    let n = n.known()?;
    let attr = path.to_string();
    if !n.value.is_finite() || n.value.abs() > largest {
        diags.error(
            path,
            format!("{attr} {n} is out of range"),
            format!("{attr} = {n} is out of range: {range}."),
        );
        return None;
    }
    if n.value.fract() != 0.0 {
        diags.error(
            path,
            format!("{attr} {n} is not a whole number"),
            format!("{attr} = {n} must be a whole number: {range}."),
        );
        return None;
    }
    Some(n.value as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How a number shows in messages, however Terraform sent it.
    #[test]
    fn numbers_show_as_written() {
        let big = "1".to_string() + &"0".repeat(300);
        let cases = [
            (Value::Number(25.0), "25"),
            (Value::Number(999.9), "999.9"),
            (Value::Number(1e20), "1e20"),
            (Value::Number(1e300), "1e300"),
            (Value::string(big), "1e300"),
            (
                Value::string("18446744073709551617"),
                "18446744073709551617",
            ),
            (Value::string("1e400"), "1e400"),
        ];
        for (given, shown) in cases {
            let n = Num::from_value(&given, &AttrPath::attr("n")).expect("a number");
            assert_eq!(n.to_string(), shown, "{given:?}");
            assert_eq!(n.to_value(), given, "echoed as sent");
        }
    }

    /// Every number outside the bound or with a fraction is one error on the attribute,
    /// quoting the value; whole ones pass.
    #[test]
    fn whole_quotes_the_value_and_the_attribute() {
        let cases: [(Value, Result<i64, &str>); 5] = [
            (Value::Number(7.0), Ok(7)),
            (Value::Number(1e300), Err("number 1e300 is out of range")),
            (
                Value::Number(999.9),
                Err("number 999.9 is not a whole number"),
            ),
            (
                Value::string("18446744073709551617"),
                Err("number 18446744073709551617 is out of range"),
            ),
            (
                Value::Number(-1e10),
                Err("number -10000000000 is out of range"),
            ),
        ];
        for (given, want) in cases {
            let n = Tf::<Num>::from_value(&given, &AttrPath::attr("number")).expect("decodes");
            let mut diags = Diagnostics::new();
            let got = whole(
                &n,
                AttrPath::attr("number"),
                1e9,
                "use 1 to 999",
                &mut diags,
            );
            match want {
                Ok(v) => assert_eq!((got, diags.0.len()), (Some(v), 0), "{given:?}"),
                Err(summary) => {
                    assert_eq!(got, None, "{given:?}");
                    assert_eq!(diags.0.len(), 1, "{given:?}: {diags:?}");
                    assert_eq!(diags.0[0].summary, summary);
                    assert_eq!(diags.0[0].path, AttrPath::attr("number"));
                    assert!(
                        diags.0[0].detail.ends_with("use 1 to 999."),
                        "{:?}",
                        diags.0[0]
                    );
                }
            }
        }
    }
}
