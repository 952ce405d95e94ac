//! Text widths as the browser draws them: a canvas measures each text once in the
//! diagram's own fonts (the page's family, read from its computed style), so the layout
//! wraps where the text really ends. Without a canvas, a generous estimate.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::{hook, use_memo};

use crate::layout::text::{Estimate, Font, Measure};

/// Measures text on a canvas; remembers every width it measured.
pub struct CanvasMeasure {
    context: Option<web_sys::CanvasRenderingContext2d>,
    family: String,
    mono: String,
    cache: RefCell<HashMap<(Font, String), f64>>,
    current: RefCell<Option<Font>>,
}

impl CanvasMeasure {
    fn new() -> Self {
        let document = web_sys::window().and_then(|w| w.document());
        let context = document
            .as_ref()
            .and_then(|d| d.create_element("canvas").ok())
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
            .and_then(|c| c.get_context("2d").ok().flatten())
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        let family = document
            .as_ref()
            .and_then(|d| d.body())
            .and_then(|b| web_sys::window()?.get_computed_style(&b).ok().flatten())
            .and_then(|s| s.get_property_value("font-family").ok())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "system-ui, sans-serif".to_owned());
        CanvasMeasure {
            context,
            family,
            mono: "ui-monospace, \"SFMono-Regular\", \"Cascadia Mono\", \"DejaVu Sans Mono\", Menlo, Consolas, monospace".to_owned(),
            cache: RefCell::new(HashMap::new()),
            current: RefCell::new(None),
        }
    }
}

impl Measure for CanvasMeasure {
    fn width(&self, text: &str, font: Font) -> f64 {
        let key = (font, text.to_owned());
        if let Some(w) = self.cache.borrow().get(&key) {
            return *w;
        }
        let Some(context) = &self.context else {
            return Estimate.width(text, font);
        };
        if *self.current.borrow() != Some(font) {
            let family = if font.mono() {
                &self.mono
            } else {
                &self.family
            };
            // Whole pixels: no float formatting in the page for this.
            let px = font.size().round() as u32;
            context.set_font(&format!("{} {px}px {family}", font.weight()));
            *self.current.borrow_mut() = Some(font);
        }
        // A pixel of slack for subpixel rounding between canvas and SVG text.
        let w = context
            .measure_text(text)
            .map(|m| m.width() + 1.0)
            .unwrap_or_else(|_| Estimate.width(text, font));
        self.cache.borrow_mut().insert(key, w);
        w
    }
}

/// One measurer for the component's life.
#[hook]
pub fn use_measure() -> Rc<CanvasMeasure> {
    use_memo((), |()| CanvasMeasure::new())
}
