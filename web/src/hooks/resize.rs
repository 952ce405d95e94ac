//! One ResizeObserver on one element, for the hooks that follow an element's size.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Watches `element`, calling `changed` with it at once (the size it has now) and
/// whenever its size changes. Disconnects when dropped.
///
/// At once, not only on the observer's first report: called from an effect after the
/// first render, the re-render at the real size then happens in the same task, before
/// anything is painted. On a loaded machine the first report can come frames later, and
/// the diagram was seen laid out for a guessed width, then jumping from two lanes to
/// three. `changed` must ignore a size it has already seen (the first report repeats it).
pub struct Watch {
    observer: web_sys::ResizeObserver,
    _callback: Closure<dyn FnMut(js_sys::Array)>,
}

impl Watch {
    /// Starts watching; `None` where there is no ResizeObserver.
    pub fn new(
        element: web_sys::Element,
        mut changed: impl FnMut(&web_sys::Element) + 'static,
    ) -> Option<Watch> {
        changed(&element);
        let measured = element.clone();
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |_entries| changed(&measured));
        let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&element);
        Some(Watch {
            observer,
            _callback: callback,
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}
