//! Keys, aliases, tags, rotation, policies and grants: the management operations, their
//! pagination and their refusals, in AWS's words.

use super::*;

#[test]
fn tags_follow_aws_rules() {
    let mut f = fixture(70);
    let key = f.ok(
        "CreateKey",
        json!({"Tags": [{"TagKey": "team", "TagValue": "blue"}]}),
    )["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    f.ok("TagResource", json!({"KeyId": key, "Tags": [{"TagKey": "env", "TagValue": "prod"}, {"TagKey": "team", "TagValue": "red"}]}));
    let tags = f.ok("ListResourceTags", json!({"KeyId": key}));
    assert_eq!(
        tags["Tags"],
        json!([{"TagKey": "team", "TagValue": "red"}, {"TagKey": "env", "TagValue": "prod"}])
    );
    assert_eq!(tags["Truncated"], false);
    f.ok("UntagResource", json!({"KeyId": key, "TagKeys": ["team"]}));
    assert_eq!(
        f.ok("ListResourceTags", json!({"KeyId": key}))["Tags"],
        json!([{"TagKey": "env", "TagValue": "prod"}])
    );
    let e = f.err(
        "TagResource",
        json!({"KeyId": key, "Tags": [{"TagKey": "aws:x", "TagValue": "y"}]}),
    );
    assert_eq!(
        (code(&e), e.aws_message()),
        ("TagException", "Tags beginning with aws: are reserved")
    );
    let e = f.err(
        "CreateKey",
        json!({"Tags": [{"TagKey": "a", "TagValue": "1"}, {"TagKey": "a", "TagValue": "2"}]}),
    );
    assert_eq!(
        (code(&e), e.aws_message()),
        ("TagException", "Duplicate tag keys")
    );
    let many: Vec<Value> = (0..51)
        .map(|i| json!({"TagKey": format!("k{i}"), "TagValue": "v"}))
        .collect();
    let e = f.err("TagResource", json!({"KeyId": key, "Tags": many}));
    assert_eq!(e.aws_message(), "Too many tags");
    let long = "k".repeat(129);
    let e = f.err(
        "TagResource",
        json!({"KeyId": key, "Tags": [{"TagKey": long, "TagValue": "v"}]}),
    );
    assert_eq!(e.aws_message(), format!("1 validation error detected: Value '{long}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"));
    // Pages of tags.
    let some: Vec<Value> = (0..5)
        .map(|i| json!({"TagKey": format!("p{i}"), "TagValue": "v"}))
        .collect();
    f.ok("TagResource", json!({"KeyId": key, "Tags": some}));
    let first = f.ok("ListResourceTags", json!({"KeyId": key, "Limit": 4}));
    assert_eq!(
        (
            first["Tags"].as_array().unwrap().len(),
            first["Truncated"].as_bool()
        ),
        (4, Some(true))
    );
    let rest = f.ok(
        "ListResourceTags",
        json!({"KeyId": key, "Limit": 4, "Marker": first["NextMarker"]}),
    );
    assert_eq!(
        (
            rest["Tags"].as_array().unwrap().len(),
            rest["Truncated"].as_bool()
        ),
        (2, Some(false))
    );
}

#[test]
fn aliases_update_and_refuse_as_aws_does() {
    let mut f = fixture(71);
    let a = f.new_key();
    let b = f.new_key();
    f.ok(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": a}),
    );
    let e = f.err(
        "CreateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": b}),
    );
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "AlreadyExistsException",
            format!(
                "An alias with the name arn:aws:kms:{REGION}:{ACCOUNT}:alias/app already exists"
            )
            .as_str()
        )
    );
    let e = f.err("CreateAlias", json!({"AliasName": "app", "TargetKeyId": b}));
    assert_eq!(e.aws_message(), "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
    let e = f.err(
        "CreateAlias",
        json!({"AliasName": "alias/x", "TargetKeyId": "alias/app"}),
    );
    assert_eq!(e.aws_message(), "Aliases must refer to keys. Not aliases");
    f.ok(
        "UpdateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": b}),
    );
    assert_eq!(
        f.ok("DescribeKey", json!({"KeyId": "alias/app"}))["KeyMetadata"]["Arn"],
        b
    );
    let signing = f.ok(
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = f.err(
        "UpdateAlias",
        json!({"AliasName": "alias/app", "TargetKeyId": signing}),
    );
    assert_eq!(code(&e), "ValidationException");
    let e = f.err(
        "UpdateAlias",
        json!({"AliasName": "alias/none", "TargetKeyId": b}),
    );
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "NotFoundException",
            format!("Alias arn:aws:kms:{REGION}:{ACCOUNT}:alias/none is not found.").as_str()
        )
    );
    let listed = f.ok("ListAliases", json!({"KeyId": b}));
    assert_eq!(listed["Aliases"].as_array().unwrap().len(), 1);
    assert!(listed["Aliases"][0]["LastUpdatedDate"].is_number());
    let e = f.err("DeleteAlias", json!({"AliasName": "alias/aws/ses"}));
    assert_eq!(code(&e), "NotAuthorizedException");
}

#[test]
fn key_lifecycle_messages_and_description() {
    let mut f = fixture(72);
    let key = f.new_key();
    f.ok(
        "UpdateKeyDescription",
        json!({"KeyId": key, "Description": "renamed"}),
    );
    assert_eq!(
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["Description"],
        "renamed"
    );
    let e = f.err("CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(
        (code(&e), e.aws_message()),
        (
            "KMSInvalidStateException",
            format!("{key} is not pending deletion.").as_str()
        )
    );
    let s = f.ok(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    assert_eq!(
        (s["KeyState"].as_str(), s["PendingWindowInDays"].as_u64()),
        (Some("PendingDeletion"), Some(7))
    );
    let e = f.err("ScheduleKeyDeletion", json!({"KeyId": key}));
    assert_eq!(e.aws_message(), format!("{key} is pending deletion."));
    let e = f.err(
        "UpdateKeyDescription",
        json!({"KeyId": key, "Description": "x"}),
    );
    assert_eq!(code(&e), "KMSInvalidStateException");
    f.ok("CancelKeyDeletion", json!({"KeyId": key}));
    assert_eq!(
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["KeyState"],
        "Disabled"
    );
    let e = f.err("DescribeKey", json!({"KeyId": "fake-key-id"}));
    assert_eq!(e.aws_message(), "Invalid keyId 'fake-key-id'");
    let e = f.err(
        "DescribeKey",
        json!({"KeyId": "134f2428cec14b25a1ae9048164dba47"}),
    );
    assert_eq!(
        e.aws_message(),
        "Invalid keyId '134f2428cec14b25a1ae9048164dba47'"
    );
    let e = f.err("DescribeKey", json!({"KeyId": format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{}", key.rsplit('/').next().unwrap())}));
    assert_eq!(e.aws_message(), "Invalid arn eu-west-1");
}

#[test]
fn list_keys_pages() {
    let mut f = fixture(73);
    let keys: Vec<String> = (0..5).map(|_| f.new_key()).collect();
    let mut seen = Vec::new();
    let mut marker: Option<Value> = None;
    loop {
        let mut req = json!({"Limit": 2});
        if let Some(m) = &marker {
            req["Marker"] = m.clone();
        }
        let page = f.ok("ListKeys", req);
        seen.extend(
            page["Keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["KeyArn"].as_str().unwrap().to_owned()),
        );
        if page["Truncated"] == false {
            assert!(page.get("NextMarker").is_none());
            break;
        }
        marker = Some(page["NextMarker"].clone());
    }
    let mut want = keys.clone();
    want.sort();
    seen.sort();
    assert_eq!(seen, want);
    let e = f.err("ListKeys", json!({"Marker": "bogus"}));
    assert_eq!(code(&e), "InvalidMarkerException");
}

#[test]
fn rotation_status_and_limits() {
    let mut f = fixture(74);
    let key = f.new_key();
    let s = f.ok("GetKeyRotationStatus", json!({"KeyId": key}));
    assert_eq!(s, json!({"KeyRotationEnabled": false, "KeyId": key}));
    f.ok(
        "EnableKeyRotation",
        json!({"KeyId": key, "RotationPeriodInDays": 90}),
    );
    let s = f.ok("GetKeyRotationStatus", json!({"KeyId": key}));
    assert_eq!(s["RotationPeriodInDays"], 90);
    assert!(s["NextRotationDate"].is_number());
    let e = f.err(
        "EnableKeyRotation",
        json!({"KeyId": key, "RotationPeriodInDays": 89}),
    );
    assert_eq!(e.aws_message(), "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90");
    let before =
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    for _ in 0..10 {
        f.ok("RotateKeyOnDemand", json!({"KeyId": key}));
    }
    let after =
        f.ok("DescribeKey", json!({"KeyId": key}))["KeyMetadata"]["CurrentKeyMaterialId"].clone();
    assert_ne!(before, after);
    let e = f.err("RotateKeyOnDemand", json!({"KeyId": key}));
    assert_eq!((code(&e), e.aws_message()), ("LimitExceededException", format!("The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: {key}").as_str()));
    let rotations = f.ok("ListKeyRotations", json!({"KeyId": key, "Limit": 3}));
    assert_eq!(rotations["Rotations"].as_array().unwrap().len(), 3);
    assert_eq!(rotations["Rotations"][0]["RotationType"], "ON_DEMAND");
    assert_eq!(rotations["Truncated"], true);
    let signing = f.ok(
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = f.err("EnableKeyRotation", json!({"KeyId": signing}));
    assert_eq!(code(&e), "UnsupportedOperationException");
}

#[test]
fn key_policies_are_listed_by_name() {
    let mut f = fixture(75);
    let key = f.new_key();
    assert_eq!(
        f.ok("ListKeyPolicies", json!({"KeyId": key})),
        json!({"PolicyNames": ["default"], "Truncated": false})
    );
    let e = f.err("GetKeyPolicy", json!({"KeyId": key, "PolicyName": "other"}));
    assert_eq!(
        (code(&e), e.aws_message()),
        ("NotFoundException", "No such policy exists")
    );
    assert_eq!(
        f.ok("GetKeyPolicy", json!({"KeyId": key}))["PolicyName"],
        "default"
    );
}

#[test]
fn grants_retire_by_policy_list_retirable_and_service_principals() {
    let mut f = fixture(76);
    let key = f.new_key();
    let app = Caller::iam("arn:aws:iam::111122223333:role/App");
    let g = f.ok("CreateGrant", json!({"KeyId": key, "GranteePrincipal": app.name(), "RetiringPrincipal": "arn:aws:iam::111122223333:role/Retirer", "Operations": ["Encrypt"]}));
    let retirable = f.ok(
        "ListRetirableGrants",
        json!({"RetiringPrincipal": "arn:aws:iam::111122223333:role/Retirer"}),
    );
    assert_eq!(retirable["Grants"][0]["GrantId"], g["GrantId"]);
    // The admin is allowed kms:* by IAM policy, so may retire a grant it is not named in.
    f.ok(
        "RetireGrant",
        json!({"KeyId": key, "GrantId": g["GrantId"]}),
    );
    assert_eq!(
        f.ok("ListGrants", json!({"KeyId": key}))["Grants"],
        json!([])
    );
    let e = f.err("RevokeGrant", json!({"KeyId": key, "GrantId": "aabbccdd"}));
    assert_eq!(
        (code(&e), e.aws_message()),
        ("NotFoundException", "Grant ID aabbccdd not found")
    );
    let s = f.ok("CreateGrant", json!({"KeyId": key, "GranteeServicePrincipal": "ses.amazonaws.com", "Operations": ["GenerateDataKey"]}));
    let listed = f.ok("ListGrants", json!({"KeyId": key}))["Grants"][0].clone();
    assert_eq!(listed["GranteeServicePrincipal"], "ses.amazonaws.com");
    assert!(listed.get("GranteePrincipal").is_none());
    let ses = Caller::service("ses.amazonaws.com");
    assert!(
        f.call_as(
            &ses,
            "GenerateDataKey",
            json!({"KeyId": key, "KeySpec": "AES_256"})
        )
        .is_ok(),
        "the service principal uses its grant"
    );
    f.ok(
        "RevokeGrant",
        json!({"KeyId": key, "GrantId": s["GrantId"]}),
    );
    let signing = f.ok(
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = f.err(
        "CreateGrant",
        json!({"KeyId": signing, "GranteePrincipal": app.name(), "Operations": ["Encrypt"]}),
    );
    assert_eq!(code(&e), "ValidationException");
    f.ok(
        "CreateGrant",
        json!({"KeyId": signing, "GranteePrincipal": app.name(), "Operations": ["Sign", "Verify"]}),
    );
}

#[test]
fn get_key_last_usage_records_the_last_cryptographic_call() {
    let mut f = fixture(77);
    let key = f.new_key();
    let u = f.ok("GetKeyLastUsage", json!({"KeyId": key}));
    assert!(u.get("KeyLastUsage").is_none());
    let c = f.call(
        "GenerateDataKey",
        json!({"KeyId": key, "KeySpec": "AES_256"}),
    );
    assert!(c.is_ok());
    let u = f.ok("GetKeyLastUsage", json!({"KeyId": key}));
    assert_eq!(u["KeyLastUsage"]["Operation"], "GenerateDataKey");
    assert_eq!(
        u["KeyLastUsage"]["CloudTrailEventId"],
        c.event.event_id.to_string()
    );
    assert_eq!(
        u["KeyLastUsage"]["KmsRequestId"],
        c.event.request_id.to_string()
    );
    // A refused call is not a use.
    f.call("Decrypt", json!({"CiphertextBlob": b64(&[1u8; 60])}));
    assert_eq!(
        f.ok("GetKeyLastUsage", json!({"KeyId": key}))["KeyLastUsage"]["Operation"],
        "GenerateDataKey"
    );
}

#[test]
fn custom_key_stores_are_absent() {
    let mut f = fixture(78);
    assert_eq!(
        f.ok("DescribeCustomKeyStores", json!({})),
        json!({"CustomKeyStores": [], "Truncated": false})
    );
    let e = f.err(
        "ConnectCustomKeyStore",
        json!({"CustomKeyStoreId": "cks-1234567890abcdef0"}),
    );
    assert_eq!(code(&e), "CustomKeyStoreNotFoundException");
}
