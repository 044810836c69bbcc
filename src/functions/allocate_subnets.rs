//! `provider::aifactory::allocate_subnets(address_space, reserved, subnets)`: the `packed`
//! allocation as a pure function, for configurations that only need the CIDRs.
//!
//! Arguments are decoded into typed values once ([`FromValue`]) and the result encoded
//! from a map ([`ToValue`]). Must not: keep state, or do I/O.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::framework::Num;
use crate::framework::{
    diag::Step,
    schema::{FunctionSignature, Parameter, Type},
    AttrPath, FromValue, Function, FunctionError, Tf, ToValue, Value,
};
use aifactory_allocator::{self as allocator, AllocationInput, RequestSpec, Strategy};

pub struct AllocateSubnets;

const PARAMS: [&str; 3] = ["address_space", "reserved", "subnets"];

/// Argument `index` decoded as `T`, or the error naming the argument (`bad`: the message).
fn argument<T: FromValue>(args: &[Value], index: usize, bad: String) -> Result<T, FunctionError> {
    static NULL: Value = Value::Null;
    T::from_value(
        args.get(index).unwrap_or(&NULL),
        &AttrPath::attr(PARAMS[index]),
    )
    .map_err(|_| FunctionError {
        argument: Some(index),
        message: bad,
    })
}

/// A list of CIDR strings (null is the empty list).
fn strings(args: &[Value], index: usize) -> Result<Vec<String>, FunctionError> {
    let bad = format!("`{}` must be a list of CIDR strings", PARAMS[index]);
    argument::<Option<Vec<String>>>(args, index, bad).map(Option::unwrap_or_default)
}

/// Subnet name -> prefix length (null is no subnets). A number out of range or not whole
/// is an error that quotes it as written (`subnets["a"] = 1e300 is out of range`).
fn prefix_lengths(args: &[Value]) -> Result<BTreeMap<String, RequestSpec>, FunctionError> {
    let bad = "`subnets` must be a map from subnet name to prefix length".to_string();
    let map = argument::<Option<BTreeMap<String, Tf<Num>>>>(args, 2, bad)?.unwrap_or_default();
    let max = allocator::MIN_IPV4_PREFIX;
    map.into_iter()
        .map(|(name, n)| {
            let fail = |why: String| FunctionError {
                argument: Some(2),
                message: format!("subnets[{name:?}] {why}"),
            };
            let n = n
                .known()
                .ok_or_else(|| fail("must be a whole prefix length".into()))?;
            if !n.value.is_finite() || n.value.abs() > 1e15 {
                return Err(fail(format!(
                    "= {n} is out of range: use a prefix length from 1 to {max}"
                )));
            }
            if n.value.fract() != 0.0 {
                return Err(fail(format!(
                    "= {n} must be a whole prefix length, from 1 to {max}"
                )));
            }
            let spec = RequestSpec {
                prefix_length: Some(n.value as i64),
                min_hosts: None,
                ipv6: false,
            };
            Ok((name, spec))
        })
        .collect()
}

#[async_trait]
impl Function for AllocateSubnets {
    fn name(&self) -> &'static str {
        "allocate_subnets"
    }

    fn signature(&self) -> FunctionSignature {
        FunctionSignature {
            summary: "Allocate subnets (packed strategy)".into(),
            description: "Returns a map from subnet name to IPv4 CIDR: the `packed` allocation of `subnets` \
(name to prefix length) inside `address_space`, avoiding `reserved`. The same inputs always give the same \
result. Unlike the `aifactory_subnet_allocation` resource it keeps no state, so results are stable only \
while the inputs are; use the resource when subnets must never move."
                .into(),
            parameters: vec![
                Parameter { name: "address_space".into(), ty: Type::list(Type::String), description: "The pool: IPv4 CIDRs.".into() },
                Parameter { name: "reserved".into(), ty: Type::list(Type::String), description: "CIDRs never to allocate.".into() },
                Parameter {
                    name: "subnets".into(),
                    ty: Type::map(Type::Number),
                    description: "Subnet name to prefix length (1 to 29).".into(),
                },
            ],
            returns: Type::map(Type::String),
        }
    }

    async fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let pool = strings(&args, 0)?;
        let reserved = strings(&args, 1)?;
        let requests = prefix_lengths(&args)?;
        let input = AllocationInput {
            pool,
            reserved,
            occupied: Vec::new(),
            strategy: Strategy::Packed,
            requests,
            previous: BTreeMap::new(),
        };
        match allocator::allocate(&input) {
            Ok(a) => Ok(a
                .ipv4
                .iter()
                .map(|(n, c)| (n.clone(), c.to_string()))
                .collect::<BTreeMap<_, _>>()
                .to_value()),
            Err(issues) => {
                let first = issues.iter().find(|i| !i.is_warning()).or(issues.first());
                let argument = first.and_then(|i| match i.path.0.first() {
                    Some(Step::Attr(a)) => PARAMS.iter().position(|p| p == a),
                    _ => None,
                });
                let message = issues
                    .iter()
                    .filter(|i| !i.is_warning())
                    .map(|i| format!("{}: {}", i.summary(), i.detail()))
                    .collect::<Vec<_>>()
                    .join("\n");
                Err(FunctionError { argument, message })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::string(*s)).collect())
    }

    #[tokio::test]
    async fn returns_packed_cidrs_outside_reserved() {
        let out = AllocateSubnets
            .call(vec![
                list(&["10.0.0.0/16"]),
                list(&["10.0.0.0/24"]),
                Value::object([("a", Value::Number(24.0)), ("b", Value::Number(26.0))]),
            ])
            .await
            .expect("allocates");
        let cidrs = BTreeMap::<String, String>::decode(&out).expect("a map of CIDRs");
        let (a, b) = (&cidrs["a"], &cidrs["b"]);
        assert_ne!(a, "10.0.0.0/24");
        assert!(a.ends_with("/24") && b.ends_with("/26"));
    }

    #[tokio::test]
    async fn bad_cidr_points_at_the_first_argument() {
        let err = AllocateSubnets
            .call(vec![
                list(&["10.0.0.1/16"]),
                list(&[]),
                Value::object([("a", Value::Number(24.0))]),
            ])
            .await
            .expect_err("host bits");
        assert_eq!(err.argument, Some(0));
    }

    #[tokio::test]
    async fn bad_arguments_name_themselves() {
        let err = AllocateSubnets
            .call(vec![Value::string("10.0.0.0/16"), list(&[]), Value::Null])
            .await
            .expect_err("not a list");
        assert_eq!(err.argument, Some(0));
        assert!(err.message.contains("address_space"), "{}", err.message);
        let err = AllocateSubnets
            .call(vec![
                list(&["10.0.0.0/16"]),
                Value::Null,
                Value::object([("a", Value::Number(24.5))]),
            ])
            .await
            .expect_err("fraction");
        assert_eq!(err.argument, Some(2));
        assert!(err.message.contains("subnets[\"a\"]"), "{}", err.message);
    }

    /// Numbers out of range keep their value (a cty number a float64 cannot hold travels
    /// as text); numbers in range but too large for a subnet get the allocator's message
    /// with the value.
    #[tokio::test]
    async fn numbers_out_of_range_are_quoted_as_written() {
        for (given, quoted) in [
            (Value::string("1e300"), "1e300"),
            (Value::Number(1e300), "1e300"),
            (Value::Number(1e20), "1e20"),
            (Value::Number(40.0), "40"),
        ] {
            let err = AllocateSubnets
                .call(vec![
                    list(&["10.0.0.0/16"]),
                    list(&[]),
                    Value::object([("a", given)]),
                ])
                .await
                .expect_err("out of range");
            assert_eq!(err.argument, Some(2), "{}", err.message);
            assert!(
                err.message.contains(quoted) && err.message.contains("out of range"),
                "{quoted}: {}",
                err.message
            );
            assert!(!err.message.contains("must be a map"), "{}", err.message);
        }
    }
}
