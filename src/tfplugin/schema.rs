//! Our schemas -> the plugin crate's schemas (mechanical translation), and the one value
//! translation blocks need.
//!
//! Single nested blocks: tf-provider 0.2.2 declares `NestedBlock::Single` with
//! `min_items = max_items = 1`, which Terraform reads as a *required* block ("At least 1
//! "timeouts" block is required"), and offers no way to send `min_items = 0`. The only
//! optional single block it can declare is `NestedBlock::Group` (NestingGroup, 0/0), which
//! Terraform gives as an object of nulls when the block is absent, never as null. So the
//! adapter declares our `Nesting::Single` blocks as groups and translates their values:
//! coming in, an all-null block object becomes `Null` ([`blocks_in`]); going out, `Null`
//! becomes the all-null object and a present block gets every attribute ([`blocks_out`]).
//! Resources see what HashiCorp's plugin framework gives for a single nested block, and
//! Terraform gets values consistent with the group it was told about. (A written but empty
//! `timeouts {}` also reads as `Null`: it means the defaults either way.)

use std::collections::{BTreeMap, HashMap};

use tf_provider::schema as tf;

use crate::framework::schema::{
    AttrType, Attribute, FunctionSignature, Mode, Nesting, Schema, Type,
};
use crate::framework::Value;

pub(super) fn to_tf(s: &Schema) -> tf::Schema {
    tf::Schema {
        version: s.version,
        block: block(s.version, &s.attributes, &s.description),
    }
}

fn block(version: i64, list: &[Attribute], description: &str) -> tf::Block {
    tf::Block {
        version,
        attributes: attrs(list),
        blocks: blocks(version, list),
        description: tf::Description::markdown(description.to_string()),
        deprecated: false,
    }
}

fn attrs(list: &[Attribute]) -> HashMap<String, tf::Attribute> {
    list.iter()
        .filter(|a| !a.is_block())
        .map(|a| (a.name.clone(), attr(a)))
        .collect()
}

fn blocks(version: i64, list: &[Attribute]) -> HashMap<String, tf::NestedBlock> {
    list.iter()
        .filter_map(|a| match &a.ty {
            AttrType::Block(nesting, inner) => {
                let b = block(version, inner, &a.description);
                let nested = match nesting {
                    // Not `Single`: see the module docs.
                    Nesting::Single => tf::NestedBlock::Group(b),
                    Nesting::List => tf::NestedBlock::List(b),
                    Nesting::Set => tf::NestedBlock::Set(b),
                    Nesting::Map => tf::NestedBlock::Map(b),
                };
                Some((a.name.clone(), nested))
            }
            _ => None,
        })
        .collect()
}

/// Which way a value crosses the adapter.
#[derive(Clone, Copy)]
enum Direction {
    /// From Terraform to a resource.
    In,
    /// From a resource to Terraform.
    Out,
}

/// A value from Terraform (config, plan, state) as our resources expect it: every absent
/// single nested block (an all-null object) is `Null`.
pub(super) fn blocks_in(attrs: &[Attribute], v: Value) -> Value {
    translate(attrs, v, Direction::In)
}

/// A value from a resource as Terraform expects it for the declared groups: an absent
/// single nested block is an object of nulls, a present one has every attribute.
pub(super) fn blocks_out(attrs: &[Attribute], v: Value) -> Value {
    translate(attrs, v, Direction::Out)
}

fn translate(attrs: &[Attribute], v: Value, dir: Direction) -> Value {
    let Value::Map(mut m) = v else {
        return v;
    };
    for a in attrs {
        let AttrType::Block(nesting, inner) = &a.ty else {
            continue;
        };
        let Some(item) = m.remove(&a.name) else {
            if let (Direction::Out, Nesting::Single) = (dir, nesting) {
                m.insert(a.name.clone(), empty_block(inner));
            }
            continue;
        };
        let item = match (nesting, item) {
            (Nesting::Single, Value::Null) => match dir {
                Direction::In => Value::Null,
                Direction::Out => empty_block(inner),
            },
            (Nesting::Single, item @ Value::Map(_)) => {
                let item = match dir {
                    Direction::In => item,
                    Direction::Out => fill(inner, item),
                };
                let item = translate(inner, item, dir);
                match dir {
                    Direction::In if is_empty_block(inner, &item) => Value::Null,
                    _ => item,
                }
            }
            (Nesting::List | Nesting::Set, Value::List(items)) => Value::List(
                items
                    .into_iter()
                    .map(|i| translate(inner, i, dir))
                    .collect(),
            ),
            (Nesting::Map, Value::Map(items)) => Value::Map(
                items
                    .into_iter()
                    .map(|(k, i)| (k, translate(inner, i, dir)))
                    .collect(),
            ),
            (_, other) => other,
        };
        m.insert(a.name.clone(), item);
    }
    Value::Map(m)
}

/// A block's value with every attribute (and nested block) present.
fn fill(attrs: &[Attribute], v: Value) -> Value {
    let Value::Map(mut m) = v else {
        return v;
    };
    for a in attrs {
        m.entry(a.name.clone()).or_insert(Value::Null);
    }
    Value::Map(m)
}

/// What Terraform gives for an absent group block: every attribute null, nested single
/// blocks likewise, nested collections of blocks empty.
fn empty_block(attrs: &[Attribute]) -> Value {
    let m: BTreeMap<String, Value> = attrs
        .iter()
        .map(|a| {
            let v = match &a.ty {
                AttrType::Block(Nesting::Single, inner) => empty_block(inner),
                AttrType::Block(Nesting::List | Nesting::Set, _) => Value::List(Vec::new()),
                AttrType::Block(Nesting::Map, _) => Value::Map(BTreeMap::new()),
                _ => Value::Null,
            };
            (a.name.clone(), v)
        })
        .collect();
    Value::Map(m)
}

/// True for a block value that says nothing: every attribute null, nested blocks absent
/// (nested single blocks already translated to null, collections empty).
fn is_empty_block(attrs: &[Attribute], v: &Value) -> bool {
    let Value::Map(m) = v else {
        return false;
    };
    m.iter().all(|(name, x)| {
        let block = attrs.iter().find(|a| &a.name == name).map(|a| &a.ty);
        match (block, x) {
            (_, Value::Null) => true,
            (Some(AttrType::Block(Nesting::List | Nesting::Set, _)), Value::List(l)) => {
                l.is_empty()
            }
            (Some(AttrType::Block(Nesting::Map, _)), Value::Map(items)) => items.is_empty(),
            _ => false,
        }
    })
}

fn attr(a: &Attribute) -> tf::Attribute {
    tf::Attribute {
        attr_type: match &a.ty {
            AttrType::Plain(t) => attr_type(t),
            // Filtered out by `attrs`; declared by `blocks`.
            AttrType::Block(..) => tf::AttributeType::Any,
            // Never produced by our schemas (see `framework::schema::AttrType::Nested`).
            AttrType::Nested(n, inner) => match n {
                Nesting::Single => tf::AttributeType::AttributeSingle(attrs(inner)),
                Nesting::List => tf::AttributeType::AttributeList(attrs(inner)),
                Nesting::Set => tf::AttributeType::AttributeSet(attrs(inner)),
                Nesting::Map => tf::AttributeType::AttributeMap(attrs(inner)),
            },
        },
        description: tf::Description::markdown(a.description.clone()),
        constraint: match a.mode {
            Mode::Required => tf::AttributeConstraint::Required,
            Mode::Optional => tf::AttributeConstraint::Optional,
            Mode::OptionalComputed => tf::AttributeConstraint::OptionalComputed,
            Mode::Computed => tf::AttributeConstraint::Computed,
        },
        sensitive: a.sensitive,
        deprecated: false,
    }
}

fn attr_type(t: &Type) -> tf::AttributeType {
    match t {
        Type::String => tf::AttributeType::String,
        Type::Number => tf::AttributeType::Number,
        Type::Bool => tf::AttributeType::Bool,
        Type::List(i) => tf::AttributeType::List(Box::new(attr_type(i))),
        Type::Set(i) => tf::AttributeType::Set(Box::new(attr_type(i))),
        Type::Map(i) => tf::AttributeType::Map(Box::new(attr_type(i))),
        Type::Object(f) => {
            tf::AttributeType::Object(f.iter().map(|(n, t)| (n.clone(), attr_type(t))).collect())
        }
        Type::Tuple(items) => tf::AttributeType::Tuple(items.iter().map(attr_type).collect()),
        Type::Dynamic => tf::AttributeType::Any,
    }
}

fn value_type(t: &Type) -> tf::Type {
    match t {
        Type::String => tf::Type::String,
        Type::Number => tf::Type::Number,
        Type::Bool => tf::Type::Bool,
        Type::List(i) => tf::Type::List(Box::new(value_type(i))),
        Type::Set(i) => tf::Type::Set(Box::new(value_type(i))),
        Type::Map(i) => tf::Type::Map(Box::new(value_type(i))),
        Type::Object(f) => {
            tf::Type::Object(f.iter().map(|(n, t)| (n.clone(), value_type(t))).collect())
        }
        Type::Tuple(items) => tf::Type::Tuple(items.iter().map(value_type).collect()),
        Type::Dynamic => tf::Type::Any,
    }
}

pub(super) fn function_to_tf(f: &FunctionSignature) -> tf::FunctionSchema {
    tf::FunctionSchema {
        parameters: f
            .parameters
            .iter()
            .map(|p| tf::Parameter {
                name: p.name.clone(),
                param_type: value_type(&p.ty),
                allow_null: false,
                allow_unknown: false,
                description: tf::Description::markdown(p.description.clone()),
            })
            .collect(),
        variadic: None,
        return_type: value_type(&f.returns),
        summary: f.summary.clone(),
        description: tf::Description::markdown(f.description.clone()),
        deprecated: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::wire::Wire;

    fn with_timeouts() -> Schema {
        Schema {
            version: 0,
            description: "r".into(),
            attributes: vec![
                Attribute::required("name", Type::String, "n"),
                Attribute::block(
                    "timeouts",
                    Nesting::Single,
                    ["create", "read", "update", "delete"]
                        .iter()
                        .map(|k| Attribute::optional(k, Type::String, "t"))
                        .collect(),
                    "limits",
                ),
            ],
        }
    }

    /// Through MessagePack and back, as a value crossing the plugin boundary does.
    fn over_the_wire(v: &Value) -> Value {
        let bytes = rmp_serde::to_vec_named(&Wire(v.clone())).expect("encode");
        let back: Wire = rmp_serde::from_slice(&bytes).expect("decode");
        back.0
    }

    fn timeouts(create: Value) -> Value {
        Value::object([
            ("create", create),
            ("read", Value::Null),
            ("update", Value::Null),
            ("delete", Value::Null),
        ])
    }

    #[test]
    fn single_block_is_declared_as_an_optional_block_not_an_attribute() {
        let tf = to_tf(&with_timeouts());
        assert!(tf.block.attributes.contains_key("name"));
        assert!(!tf.block.attributes.contains_key("timeouts"));
        let Some(tf::NestedBlock::Group(b)) = tf.block.blocks.get("timeouts") else {
            panic!(
                "timeouts is not an optional single (group) block: {:?}",
                tf.block.blocks
            );
        };
        let mut names: Vec<&String> = b.attributes.keys().collect();
        names.sort();
        assert_eq!(names, ["create", "delete", "read", "update"]);
        assert!(b
            .attributes
            .values()
            .all(|a| a.constraint == tf::AttributeConstraint::Optional
                && a.attr_type == tf::AttributeType::String));
        assert_eq!(b.description.content, "limits");
    }

    #[test]
    fn absent_block_is_null_inside_and_all_null_outside() {
        let attrs = with_timeouts().attributes;
        // What Terraform sends for a config without the block (NestingGroup).
        let from_tf = Value::object([
            ("name", Value::string("p")),
            ("timeouts", timeouts(Value::Null)),
        ]);
        let inside = blocks_in(&attrs, over_the_wire(&from_tf));
        assert_eq!(inside.get("timeouts"), &Value::Null);
        assert_eq!(inside.get("name"), &Value::string("p"));
        // A resource returns it unchanged (or leaves the block out): Terraform gets its form back.
        assert_eq!(over_the_wire(&blocks_out(&attrs, inside.clone())), from_tf);
        let mut without = inside;
        if let Value::Map(m) = &mut without {
            m.remove("timeouts");
        }
        assert_eq!(blocks_out(&attrs, without), from_tf);
    }

    #[test]
    fn present_block_is_an_object_with_null_for_unset_attributes() {
        let attrs = with_timeouts().attributes;
        let from_tf = Value::object([
            ("name", Value::string("p")),
            ("timeouts", timeouts(Value::string("3s"))),
        ]);
        let inside = blocks_in(&attrs, over_the_wire(&from_tf));
        assert_eq!(inside, from_tf);
        assert_eq!(inside.get("timeouts").get("create").as_str(), Some("3s"));
        assert_eq!(over_the_wire(&blocks_out(&attrs, inside)), from_tf);
        // A resource that builds the block with only what it sets still sends every attribute.
        let partial = Value::object([
            ("name", Value::string("p")),
            ("timeouts", Value::object([("create", Value::string("3s"))])),
        ]);
        assert_eq!(blocks_out(&attrs, partial), from_tf);
        // Unknown stays unknown, both ways.
        let unknown = Value::object([
            ("name", Value::string("p")),
            ("timeouts", timeouts(Value::Unknown)),
        ]);
        assert_eq!(blocks_in(&attrs, over_the_wire(&unknown)), unknown);
        assert_eq!(blocks_out(&attrs, unknown.clone()), unknown);
        // A whole value that is null (a deleted object) is left alone.
        assert_eq!(blocks_out(&attrs, Value::Null), Value::Null);
    }
}
