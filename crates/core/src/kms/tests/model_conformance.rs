//! The Rust types are the service model's: every operation of the model (botocore's
//! `kms/2014-11-01`) is in the operation table, every request and response type has
//! exactly the members of its model shape, and every enum exactly the model's values. A
//! shape AWS changes is a failing test here, not a guess.

use super::super::model::model;
use super::super::model_fields::fields_of;
use super::super::types::*;
use super::super::Operation;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn members(shape: &str) -> Vec<String> {
    let s = model()
        .shape(shape)
        .unwrap_or_else(|| panic!("no shape {shape}"));
    sorted(s.members.iter().map(|(n, _)| n.clone()).collect())
}

fn ours(names: Vec<&'static str>) -> Vec<String> {
    sorted(names.into_iter().map(str::to_owned).collect())
}

#[test]
fn every_model_operation_is_in_the_table_and_nothing_else() {
    let mut model_ops: Vec<&str> = model().operations.keys().map(String::as_str).collect();
    model_ops.sort();
    let mut table: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
    table.sort();
    assert_eq!(table, model_ops);
}

#[test]
fn request_and_response_members_are_the_models() {
    for op in Operation::ALL {
        let (req, resp) = op.member_names();
        let names = |s: Option<&super::super::model::Shape>| {
            sorted(
                s.map(|s| s.members.iter().map(|(n, _)| n.clone()).collect())
                    .unwrap_or_default(),
            )
        };
        let want_in = names(model().input(op.name()));
        let want_out = names(model().output(op.name()));
        assert_eq!(ours(req), want_in, "{op} request");
        assert_eq!(ours(resp), want_out, "{op} response");
    }
}

#[test]
fn nested_structures_are_the_models() {
    let cases: Vec<(&str, Vec<&'static str>)> = vec![
        ("KeyMetadata", fields_of::<KeyMetadata>()),
        ("Tag", fields_of::<Tag>()),
        ("KeyListEntry", fields_of::<KeyListEntry>()),
        ("AliasListEntry", fields_of::<AliasListEntry>()),
        ("GrantListEntry", fields_of::<GrantListEntry>()),
        ("GrantConstraints", fields_of::<GrantConstraints>()),
        ("RotationsListEntry", fields_of::<RotationEntry>()),
        (
            "MultiRegionConfiguration",
            fields_of::<MultiRegionConfiguration>(),
        ),
        ("MultiRegionKey", fields_of::<MultiRegionKey>()),
        ("RecipientInfo", fields_of::<RecipientInfo>()),
        ("KeyLastUsageData", fields_of::<KeyLastUsageData>()),
    ];
    for (shape, names) in cases {
        assert_eq!(ours(names), members(shape), "{shape}");
    }
}

#[test]
fn enums_have_the_models_values() {
    let cases: Vec<(&str, Vec<&'static str>)> = vec![
        ("KeySpec", fields_of::<KeySpec>()),
        ("KeyUsageType", fields_of::<KeyUsage>()),
        ("KeyState", fields_of::<KeyState>()),
        (
            "EncryptionAlgorithmSpec",
            fields_of::<EncryptionAlgorithm>(),
        ),
        ("SigningAlgorithmSpec", fields_of::<SigningAlgorithm>()),
        ("MacAlgorithmSpec", fields_of::<MacAlgorithm>()),
        (
            "KeyAgreementAlgorithmSpec",
            fields_of::<KeyAgreementAlgorithm>(),
        ),
        ("DataKeyPairSpec", fields_of::<DataKeyPairSpec>()),
        ("DataKeySpec", fields_of::<DataKeySpec>()),
        ("OriginType", fields_of::<Origin>()),
        ("ExpirationModelType", fields_of::<ExpirationModel>()),
        ("MultiRegionKeyType", fields_of::<MultiRegionKeyType>()),
        ("AlgorithmSpec", fields_of::<WrappingAlgorithm>()),
        ("WrappingKeySpec", fields_of::<WrappingKeySpec>()),
        ("GrantOperation", fields_of::<GrantOperation>()),
        ("MessageType", fields_of::<MessageType>()),
        ("KeyManagerType", fields_of::<KeyManager>()),
        ("RotationType", fields_of::<RotationType>()),
        ("IncludeKeyMaterial", fields_of::<IncludeKeyMaterial>()),
        ("ImportType", fields_of::<ImportType>()),
        ("KeyMaterialState", fields_of::<KeyMaterialState>()),
        ("ImportState", fields_of::<ImportState>()),
    ];
    for (shape, names) in cases {
        let values = model()
            .shape(shape)
            .and_then(|s| s.values.clone())
            .unwrap_or_else(|| panic!("{shape} is not an enum of the model"));
        assert_eq!(ours(names), sorted(values), "{shape}");
    }
}
