//! Work put off until the browser has painted what the page holds now.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_render::{request_animation_frame, AnimationFrame};
use gloo_timers::callback::Timeout;

/// Where no frame comes (a hidden tab or iframe gets no animation frames), the work runs
/// after this many milliseconds anyway.
const NO_FRAME_MS: u32 = 50;

type Job = Box<dyn FnOnce()>;

/// Runs a job once, just after the next paint; dropping it first cancels the job.
///
/// An animation frame's callback runs before that frame is painted, so the job is queued
/// from it as a zero timeout: a task of its own, after the paint. The HTML standard's
/// event loop ("update the rendering" runs the frame callbacks, then paints):
/// <https://html.spec.whatwg.org/multipage/webappapis.html#update-the-rendering>.
/// A fixed 16 ms timeout, used before, waited up to a frame longer than needed, and on a
/// busy main thread could still run before the paint it waited for.
pub struct AfterPaint {
    job: Rc<RefCell<Option<Job>>>,
    _frame: AnimationFrame,
    _no_frame: Timeout,
    after_frame: Rc<RefCell<Option<Timeout>>>,
}

impl AfterPaint {
    pub fn new(job: impl FnOnce() + 'static) -> AfterPaint {
        let job: Rc<RefCell<Option<Job>>> = Rc::new(RefCell::new(Some(Box::new(job))));
        let run = {
            let job = Rc::clone(&job);
            move || {
                // Taken before it runs: the job may drop this handle.
                let next = job.borrow_mut().take();
                if let Some(next) = next {
                    next();
                }
            }
        };
        let after_frame = Rc::new(RefCell::new(None));
        let frame = {
            let after_frame = Rc::clone(&after_frame);
            let run = run.clone();
            request_animation_frame(move |_| {
                *after_frame.borrow_mut() = Some(Timeout::new(0, run));
            })
        };
        AfterPaint {
            job,
            _frame: frame,
            _no_frame: Timeout::new(NO_FRAME_MS, run),
            after_frame,
        }
    }
}

impl Drop for AfterPaint {
    fn drop(&mut self) {
        self.job.borrow_mut().take();
        self.after_frame.borrow_mut().take();
    }
}
