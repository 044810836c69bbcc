//! Our schemas -> the plugin crate's schemas (mechanical translation).

use std::collections::HashMap;

use tf_provider::schema as tf;

use crate::framework::schema::{
    AttrType, Attribute, FunctionSignature, Mode, Nesting, Schema, Type,
};

pub(super) fn to_tf(s: &Schema) -> tf::Schema {
    tf::Schema {
        version: s.version,
        block: tf::Block {
            version: s.version,
            attributes: attrs(&s.attributes),
            blocks: HashMap::new(),
            description: tf::Description::markdown(s.description.clone()),
            deprecated: false,
        },
    }
}

fn attrs(list: &[Attribute]) -> HashMap<String, tf::Attribute> {
    list.iter().map(|a| (a.name.clone(), attr(a))).collect()
}

fn attr(a: &Attribute) -> tf::Attribute {
    tf::Attribute {
        attr_type: match &a.ty {
            AttrType::Plain(t) => attr_type(t),
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
