//! `provider::aifactory::allocate_subnets(address_space, reserved, subnets)`: the `packed`
//! allocation as a pure function, for configurations that only need the CIDRs.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::framework::{
    diag::Step,
    schema::{FunctionSignature, Parameter, Type},
    Function, FunctionError, Value,
};
use aifactory_allocator::{self as allocator, AllocationInput, RequestSpec, Strategy};

pub struct AllocateSubnets;

const PARAMS: [&str; 3] = ["address_space", "reserved", "subnets"];

fn strings(v: &Value, index: usize) -> Result<Vec<String>, FunctionError> {
    let bad = || FunctionError {
        argument: Some(index),
        message: format!("`{}` must be a list of CIDR strings", PARAMS[index]),
    };
    match v {
        Value::Null => Ok(Vec::new()),
        Value::List(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(bad))
            .collect(),
        _ => Err(bad()),
    }
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
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
        let pool = strings(&arg(0), 0)?;
        let reserved = strings(&arg(1), 1)?;
        let mut requests = BTreeMap::new();
        if let Some(map) = arg(2).as_map() {
            for (name, n) in map {
                let prefix = n
                    .as_f64()
                    .filter(|p| p.fract() == 0.0)
                    .map(|p| p as i64)
                    .ok_or_else(|| FunctionError {
                        argument: Some(2),
                        message: format!("subnets[{name:?}] must be a whole prefix length"),
                    })?;
                requests.insert(
                    name.clone(),
                    RequestSpec {
                        prefix_length: Some(prefix),
                        min_hosts: None,
                        ipv6: false,
                    },
                );
            }
        }
        let input = AllocationInput {
            pool,
            reserved,
            occupied: Vec::new(),
            strategy: Strategy::Packed,
            requests,
            previous: BTreeMap::new(),
        };
        match allocator::allocate(&input) {
            Ok(a) => Ok(Value::object(
                a.ipv4
                    .iter()
                    .map(|(n, c)| (n.clone(), Value::string(c.to_string()))),
            )),
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
        let a = out.get("a").as_str().expect("a");
        let b = out.get("b").as_str().expect("b");
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
}
