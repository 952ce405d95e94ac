//! Tags: TagResource, UntagResource, ListResourceTags and `Tags` on CreateKey and
//! ReplicateKey, with AWS's tag rules (developer guide, *Tagging keys*; lengths and the
//! character set are checked against the service model first). The messages are real
//! AWS's: `TagException` "Duplicate tag keys", "Tags beginning with aws: are reserved",
//! "Too many tags".

use super::error::{ErrorCode, KmsError, Result};
use super::lookup::require_not_pending_deletion;
use super::lookup::ANY_STATE;
use super::operation::Operation;
use super::page::{page, TAGS};
use super::types::*;
use super::{Kms, OpCtx};

/// Tags a key may have (developer guide, *Tagging keys*: "up to 50 tags").
pub const MAX_TAGS: usize = 50;

/// Checks `tags` to be added to a key that has `existing`.
pub(super) fn validate_tags(tags: &[Tag], existing: &[Tag]) -> Result<()> {
    for (i, t) in tags.iter().enumerate() {
        if tags[..i].iter().any(|o| o.tag_key == t.tag_key) {
            return Err(
                KmsError::new(ErrorCode::TagException, "Duplicate tag keys").help(format!(
                    "The tag key '{}' appears more than once in the request; give each key once.",
                    t.tag_key
                )),
            );
        }
    }
    if let Some(t) = tags.iter().find(|t| t.tag_key.starts_with("aws:")) {
        return Err(KmsError::new(
            ErrorCode::TagException,
            "Tags beginning with aws: are reserved",
        )
        .help(format!(
            "'{}' uses the aws: prefix, which AWS keeps for its own tags.",
            t.tag_key
        )));
    }
    let after = existing.len()
        + tags
            .iter()
            .filter(|t| !existing.iter().any(|e| e.tag_key == t.tag_key))
            .count();
    if after > MAX_TAGS {
        return Err(KmsError::new(ErrorCode::TagException, "Too many tags").help(format!(
            "A key can have at most {MAX_TAGS} tags; this would give it {after}. Remove some with UntagResource."
        )));
    }
    Ok(())
}

impl Kms {
    pub(super) fn op_tag_resource(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: TagResourceRequest,
    ) -> Result<Empty> {
        let id = self.customer_key_with(ctx, &req.key_id, Operation::TagResource, |f| {
            f.with_request_tags(&req.tags)
        })?;
        let key = self.key_mut(&id)?;
        require_not_pending_deletion(key)?;
        validate_tags(&req.tags, &key.tags)?;
        for tag in req.tags {
            match key.tags.iter_mut().find(|t| t.tag_key == tag.tag_key) {
                Some(t) => t.tag_value = tag.tag_value,
                None => key.tags.push(tag),
            }
        }
        Ok(Empty {})
    }

    pub(super) fn op_untag_resource(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: UntagResourceRequest,
    ) -> Result<Empty> {
        let id = self.customer_key_with(ctx, &req.key_id, Operation::UntagResource, |f| {
            f.with_tag_keys(&req.tag_keys)
        })?;
        let key = self.key_mut(&id)?;
        require_not_pending_deletion(key)?;
        key.tags.retain(|t| !req.tag_keys.contains(&t.tag_key));
        Ok(Empty {})
    }

    pub(super) fn op_list_resource_tags(
        &mut self,
        ctx: &mut OpCtx<'_>,
        req: ListResourceTagsRequest,
    ) -> Result<ListResourceTagsResponse> {
        let id = self.authorized_key_id(ctx, &req.key_id, Operation::ListResourceTags, |f| f)?;
        let key = self.key(&id)?;
        super::lookup::require_state(key, ANY_STATE)?;
        let (tags, next_marker, truncated) =
            page(key.tags.clone(), req.limit, req.marker.as_deref(), TAGS)?;
        Ok(ListResourceTagsResponse {
            tags,
            next_marker,
            truncated,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(k: &str) -> Tag {
        Tag {
            tag_key: k.into(),
            tag_value: "v".into(),
        }
    }

    #[test]
    fn aws_tag_rules() {
        assert!(validate_tags(&[tag("a"), tag("b")], &[]).is_ok());
        let dup = validate_tags(&[tag("a"), tag("a")], &[]).unwrap_err();
        assert_eq!(
            (dup.code, dup.aws_message()),
            (ErrorCode::TagException, "Duplicate tag keys")
        );
        let reserved = validate_tags(&[tag("aws:x")], &[]).unwrap_err();
        assert_eq!(
            reserved.aws_message(),
            "Tags beginning with aws: are reserved"
        );
        let existing: Vec<Tag> = (0..50).map(|i| tag(&format!("k{i}"))).collect();
        assert!(
            validate_tags(&[tag("k3")], &existing).is_ok(),
            "replacing a value adds no tag"
        );
        let many = validate_tags(&[tag("new")], &existing).unwrap_err();
        assert_eq!(many.aws_message(), "Too many tags");
    }
}
