//! Multi-Region keys across the world's Regions: a primary and its replicas share key id
//! and key material (a ciphertext of one Region decrypts in another), each keeps its own
//! policy and state, rotation follows the primary, the primary can move, and deleting a
//! primary waits for its replicas.

use kmsplay_core::authz::{parse_policy, PolicyKind};
use kmsplay_core::{Caller, KmsError, KmsRequest, Operation, World};
use serde_json::{json, Value};

const ACCOUNT: &str = "111122223333";

struct Fx {
    world: World,
    admin: Caller,
}

fn fx() -> Fx {
    let mut world = World::new(5, "us-east-1", ACCOUNT);
    let admin = Caller::iam("arn:aws:iam::111122223333:role/Admin");
    let policy = parse_policy(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}),
        PolicyKind::Identity,
    )
    .unwrap();
    world.set_identity_policies(admin.name(), vec![policy]);
    Fx { world, admin }
}

impl Fx {
    fn call(&mut self, region: &str, op: &str, req: Value) -> Result<Value, KmsError> {
        let op = Operation::from_name(op).unwrap();
        let request = KmsRequest::parse(op, &req)?;
        let admin = self.admin.clone();
        let (result, _) = self.world.kms_direct_recorded(region, &admin, request);
        result.map(|r| {
            kmsplay_core::wire::with_secret_view(kmsplay_core::wire::SecretView::Reveal, || {
                serde_json::to_value(&r).unwrap()
            })
        })
    }
    fn ok(&mut self, region: &str, op: &str, req: Value) -> Value {
        self.call(region, op, req.clone())
            .unwrap_or_else(|e| panic!("{op} {req} in {region}: {e}"))
    }
}

#[test]
fn replicas_share_material_but_not_state() {
    let mut f = fx();
    let created = f.ok("us-east-1", "CreateKey", json!({"MultiRegion": true}));
    let m = &created["KeyMetadata"];
    let key_id = m["KeyId"].as_str().unwrap().to_owned();
    assert!(key_id.starts_with("mrk-") && key_id.len() == 36, "{key_id}");
    assert_eq!(m["MultiRegion"], true);
    assert_eq!(
        m["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "PRIMARY"
    );
    let r = f.ok(
        "us-east-1",
        "ReplicateKey",
        json!({"KeyId": key_id, "ReplicaRegion": "eu-west-1", "Description": "replica"}),
    );
    assert_eq!(r["ReplicaKeyMetadata"]["KeyState"], "Creating");
    assert_eq!(
        r["ReplicaKeyMetadata"]["Arn"],
        format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}")
    );
    let replica = f.ok("eu-west-1", "DescribeKey", json!({"KeyId": key_id}))["KeyMetadata"].clone();
    assert_eq!(replica["KeyState"], "Enabled");
    assert_eq!(
        replica["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "REPLICA"
    );
    assert_eq!(
        replica["MultiRegionConfiguration"]["PrimaryKey"]["Region"],
        "us-east-1"
    );
    let primary = f.ok("us-east-1", "DescribeKey", json!({"KeyId": key_id}))["KeyMetadata"].clone();
    assert_eq!(
        primary["MultiRegionConfiguration"]["ReplicaKeys"][0]["Region"],
        "eu-west-1"
    );
    assert_eq!(
        primary["CurrentKeyMaterialId"],
        replica["CurrentKeyMaterialId"]
    );
    // Encrypt in one Region, decrypt in the other.
    let ct = f.ok(
        "us-east-1",
        "Encrypt",
        json!({"KeyId": key_id, "Plaintext": "aGVsbG8=", "EncryptionContext": {"a": "b"}}),
    )["CiphertextBlob"]
        .clone();
    let out = f.ok(
        "eu-west-1",
        "Decrypt",
        json!({"CiphertextBlob": ct, "EncryptionContext": {"a": "b"}}),
    );
    assert_eq!(out["Plaintext"], "aGVsbG8=");
    assert_eq!(
        out["KeyId"],
        format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}")
    );
    // State is each key's own.
    f.ok("eu-west-1", "DisableKey", json!({"KeyId": key_id}));
    assert!(f
        .call(
            "eu-west-1",
            "Decrypt",
            json!({"CiphertextBlob": ct, "EncryptionContext": {"a": "b"}})
        )
        .is_err());
    assert!(f
        .call(
            "us-east-1",
            "Decrypt",
            json!({"CiphertextBlob": ct, "EncryptionContext": {"a": "b"}})
        )
        .is_ok());
    f.ok("eu-west-1", "EnableKey", json!({"KeyId": key_id}));
    // Rotation at the primary reaches the replica; at the replica it is refused.
    f.ok("us-east-1", "RotateKeyOnDemand", json!({"KeyId": key_id}));
    let p = f.ok("us-east-1", "DescribeKey", json!({"KeyId": key_id}))["KeyMetadata"]
        ["CurrentKeyMaterialId"]
        .clone();
    let q = f.ok("eu-west-1", "DescribeKey", json!({"KeyId": key_id}))["KeyMetadata"]
        ["CurrentKeyMaterialId"]
        .clone();
    assert_eq!(p, q);
    let e = f
        .call("eu-west-1", "RotateKeyOnDemand", json!({"KeyId": key_id}))
        .unwrap_err();
    let replica_arn = format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}");
    assert_eq!(
        (e.code.name(), e.aws_message()),
        (
            "UnsupportedOperationException",
            format!("{replica_arn} is not a multi-region primary key.").as_str()
        )
    );
    let e = f
        .call(
            "eu-west-1",
            "ReplicateKey",
            json!({"KeyId": key_id, "ReplicaRegion": "us-west-2"}),
        )
        .unwrap_err();
    assert_eq!(
        e.aws_message(),
        format!("{replica_arn} is not a multi-region primary key.")
    );
    let e = f
        .call(
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": key_id, "ReplicaRegion": "eu-west-1"}),
        )
        .unwrap_err();
    assert_eq!(e.code.name(), "AlreadyExistsException");
    // An ARN of the other Region is refused where it does not belong.
    let e = f
        .call("us-east-1", "DescribeKey", json!({"KeyId": replica_arn}))
        .unwrap_err();
    assert_eq!(e.aws_message(), "Invalid arn eu-west-1");
}

#[test]
fn the_primary_moves_and_deletion_waits_for_replicas() {
    let mut f = fx();
    let key_id = f.ok("us-east-1", "CreateKey", json!({"MultiRegion": true}))["KeyMetadata"]
        ["KeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    f.ok(
        "us-east-1",
        "ReplicateKey",
        json!({"KeyId": key_id, "ReplicaRegion": "ap-southeast-1"}),
    );
    f.ok(
        "us-east-1",
        "UpdatePrimaryRegion",
        json!({"KeyId": key_id, "PrimaryRegion": "ap-southeast-1"}),
    );
    let old = f.ok("us-east-1", "DescribeKey", json!({"KeyId": key_id}))["KeyMetadata"]
        ["MultiRegionConfiguration"]
        .clone();
    assert_eq!(old["MultiRegionKeyType"], "REPLICA");
    assert_eq!(old["PrimaryKey"]["Region"], "ap-southeast-1");
    let new = f.ok("ap-southeast-1", "DescribeKey", json!({"KeyId": key_id}))["KeyMetadata"]
        ["MultiRegionConfiguration"]
        .clone();
    assert_eq!(new["MultiRegionKeyType"], "PRIMARY");
    assert_eq!(new["ReplicaKeys"][0]["Region"], "us-east-1");
    // The new primary waits for its replica before its own waiting period starts.
    let s = f.ok(
        "ap-southeast-1",
        "ScheduleKeyDeletion",
        json!({"KeyId": key_id, "PendingWindowInDays": 7}),
    );
    assert_eq!(s["KeyState"], "PendingReplicaDeletion");
    assert!(s.get("DeletionDate").is_none());
    f.ok(
        "us-east-1",
        "ScheduleKeyDeletion",
        json!({"KeyId": key_id, "PendingWindowInDays": 7}),
    );
    f.world.env.clock.advance_ms(7 * 86_400_000 + 1000);
    // Any call lets time act: the replica is deleted, and the primary's window begins.
    assert!(f
        .call("us-east-1", "DescribeKey", json!({"KeyId": key_id}))
        .is_err());
    let p = f.ok("ap-southeast-1", "DescribeKey", json!({"KeyId": key_id}))["KeyMetadata"].clone();
    assert_eq!(p["KeyState"], "PendingDeletion");
    assert!(p["DeletionDate"].is_number());
    assert_eq!(p["MultiRegionConfiguration"]["ReplicaKeys"], json!([]));
}

#[test]
fn single_region_keys_do_not_replicate() {
    let mut f = fx();
    let arn = f.ok("us-east-1", "CreateKey", json!({}))["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let e = f
        .call(
            "us-east-1",
            "ReplicateKey",
            json!({"KeyId": arn, "ReplicaRegion": "eu-west-1"}),
        )
        .unwrap_err();
    assert_eq!(
        (e.code.name(), e.aws_message()),
        (
            "UnsupportedOperationException",
            format!("{arn} is not a multi-region primary key.").as_str()
        )
    );
}
