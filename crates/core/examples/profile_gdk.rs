//! Profiling aid (not part of the bench): GenerateDataKey in a loop, with an allocation
//! counter, so the engine's per-call allocations can be seen (`valgrind --tool=callgrind`
//! gives the instructions).
use kmsplay_core::kms::types::{CreateKeyRequest, DataKeySpec, GenerateDataKeyRequest};
use kmsplay_core::{Caller, EncryptionContext, Env, Kms};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let mut kms = Kms::new("us-east-1", "111122223333");
    let mut env = Env::new(1);
    let admin = Caller::root("111122223333");
    let key = kms
        .create_key(&mut env, &admin, CreateKeyRequest::default())
        .0
        .map(|r| r.key_metadata.arn)
        .unwrap_or_default();
    let req = GenerateDataKeyRequest {
        key_id: key,
        key_spec: Some(DataKeySpec::AES_256),
        encryption_context: Some(EncryptionContext::from_pairs([("purpose", "bench")])),
        ..Default::default()
    };
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let t = std::time::Instant::now();
    for _ in 0..n {
        black_box(kms.generate_data_key(&mut env, &admin, req.clone()).0.ok());
    }
    let elapsed = t.elapsed();
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
    eprintln!(
        "{:.0} ns/op, {:.1} allocations/op",
        elapsed.as_nanos() as f64 / n as f64,
        allocations as f64 / n as f64
    );
}
