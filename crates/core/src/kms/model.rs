//! AWS's own description of the KMS API: botocore's `kms/2014-11-01` service model
//! (`crates/core/model/`), read once at first use.
//!
//! The model lists every operation, its input and output shapes, every member with its
//! type, and the constraints the service enforces (required members, lengths, ranges,
//! patterns, enums). [`validate`](super::validate) checks requests against it; the tests
//! check the engine's typed requests and responses against it.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The model, as botocore ships it (documentation removed).
const MODEL_JSON: &str = include_str!("../../model/kms-2014-11-01.json");

/// The KMS service model.
#[derive(Debug, Deserialize)]
pub struct ServiceModel {
    /// Operations by name.
    pub operations: BTreeMap<String, OperationModel>,
    /// Shapes by name.
    pub shapes: BTreeMap<String, Shape>,
}

/// One operation of the model.
#[derive(Debug, Deserialize)]
pub struct OperationModel {
    /// Its input shape.
    #[serde(default)]
    pub input: Option<ShapeRef>,
    /// Its output shape.
    #[serde(default)]
    pub output: Option<ShapeRef>,
    /// The errors it may return.
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
}

/// A reference to a shape.
#[derive(Debug, Deserialize)]
pub struct ShapeRef {
    /// The shape's name.
    pub shape: String,
}

/// A shape: a structure, list, map, string, blob, number, boolean or timestamp, with its
/// constraints.
#[derive(Debug, Deserialize)]
pub struct Shape {
    /// `structure`, `list`, `map`, `string`, `blob`, `integer`, `long`, `boolean`,
    /// `timestamp`, `double`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Members of a structure, in the model's order.
    #[serde(default, deserialize_with = "in_order")]
    pub members: Vec<(String, ShapeRef)>,
    /// Required members of a structure.
    #[serde(default)]
    pub required: Vec<String>,
    /// The element shape of a list.
    #[serde(default)]
    pub member: Option<ShapeRef>,
    /// The key shape of a map.
    #[serde(default)]
    pub key: Option<ShapeRef>,
    /// The value shape of a map.
    #[serde(default)]
    pub value: Option<ShapeRef>,
    /// Minimum length (strings, blobs, lists, maps) or value (numbers).
    #[serde(default)]
    pub min: Option<f64>,
    /// Maximum length or value.
    #[serde(default)]
    pub max: Option<f64>,
    /// The pattern a string must match (Java regular expression syntax).
    #[serde(default)]
    pub pattern: Option<String>,
    /// The values of an enum string.
    #[serde(default, rename = "enum")]
    pub values: Option<Vec<String>>,
    /// Whether values of this shape are secret (never echoed in errors).
    #[serde(default)]
    pub sensitive: bool,
    /// Whether the shape is an error.
    #[serde(default)]
    pub exception: bool,
}

/// A JSON object's entries in the order they are written.
fn in_order<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<(String, ShapeRef)>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<(String, ShapeRef)>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of members")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Entries)
}

impl Shape {
    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&ShapeRef> {
        self.members.iter().find(|(n, _)| n == name).map(|(_, r)| r)
    }
}

/// The model, parsed at first use.
pub fn model() -> &'static ServiceModel {
    static MODEL: OnceLock<ServiceModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        // The vendored file is part of the build and checked by the tests; should it ever
        // fail to parse, an empty model validates nothing rather than failing requests.
        serde_json::from_str(MODEL_JSON).unwrap_or(ServiceModel {
            operations: BTreeMap::new(),
            shapes: BTreeMap::new(),
        })
    })
}

impl ServiceModel {
    /// The shape called `name`.
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    /// The input shape of `operation`.
    pub fn input(&self, operation: &str) -> Option<&Shape> {
        let name = &self.operations.get(operation)?.input.as_ref()?.shape;
        self.shape(name)
    }

    /// The output shape of `operation`.
    pub fn output(&self, operation: &str) -> Option<&Shape> {
        let name = &self.operations.get(operation)?.output.as_ref()?.shape;
        self.shape(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_model_parses_and_names_every_operation() {
        let m: ServiceModel = serde_json::from_str(MODEL_JSON).expect("the vendored model parses");
        assert!(m.operations.len() >= 50, "{}", m.operations.len());
        let input = m
            .input("GenerateDataKey")
            .expect("GenerateDataKey has an input");
        assert_eq!(input.required, ["KeyId"]);
        assert!(input.member("EncryptionContext").is_some());
        assert!(m.shape("PlaintextType").is_some_and(|s| s.sensitive));
    }
}
