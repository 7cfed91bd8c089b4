//! A small A4 layout: pages of text and filled rectangles, laid out top
//! down with a cursor, lines wrapped by width (character by character, as
//! Chinese wraps), pages broken when full; QR codes drawn as vector
//! squares. Rendered by krilla at the end, fonts subset to what was drawn.

use crate::fonts::Fonts;
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::text::TextDirection;
use qrcode::{Color, EcLevel, QrCode};

/// A4 in points.
pub(crate) const WIDTH: f32 = 595.28;
pub(crate) const HEIGHT: f32 = 841.89;
pub(crate) const MARGIN: f32 = 56.0;

pub(crate) const BLACK: (u8, u8, u8) = (0, 0, 0);
pub(crate) const GREY: (u8, u8, u8) = (90, 90, 90);
pub(crate) const RED: (u8, u8, u8) = (178, 34, 34);

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        color: (u8, u8, u8),
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: (u8, u8, u8),
    },
}

pub(crate) struct Canvas {
    pages: Vec<Vec<Op>>,
    pub(crate) fonts: Fonts,
    /// The baseline cursor on the current page.
    pub(crate) y: f32,
    /// Drawn at the foot of every page (with the page number).
    footer: String,
}

impl Canvas {
    pub(crate) fn new(system_fonts: bool, footer: &str) -> Canvas {
        Canvas {
            pages: vec![vec![]],
            fonts: Fonts::new(system_fonts),
            y: MARGIN,
            footer: footer.to_string(),
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(vec![]);
        self.y = MARGIN;
    }

    /// Breaks the page unless `height` more points fit.
    pub(crate) fn need(&mut self, height: f32) {
        if self.y + height > HEIGHT - MARGIN {
            self.new_page();
        }
    }

    pub(crate) fn width(&mut self, text: &str, size: f32) -> f32 {
        self.fonts.width(text, size)
    }

    /// One line of text with its baseline at `(x, y)`.
    pub(crate) fn text_at(&mut self, x: f32, y: f32, size: f32, text: &str, color: (u8, u8, u8)) {
        self.ops().push(Op::Text {
            x,
            y,
            size,
            text: text.to_string(),
            color,
        });
    }

    /// A line centred on the page at the cursor; the cursor moves down.
    pub(crate) fn centred(&mut self, size: f32, text: &str, color: (u8, u8, u8)) {
        self.need(size * 1.6);
        let w = self.width(text, size);
        let y = self.y + size;
        self.text_at((WIDTH - w) / 2.0, y, size, text, color);
        self.y += size * 1.6;
    }

    /// `text` wrapped into lines of at most `max` points.
    pub(crate) fn wrap(&mut self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = vec![];
        let mut line = String::new();
        for c in text.chars() {
            line.push(c);
            if self.width(&line, size) > max && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
        if !line.is_empty() || lines.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// A paragraph from `x` to the right margin; the cursor moves down.
    pub(crate) fn paragraph(&mut self, x: f32, size: f32, text: &str, color: (u8, u8, u8)) {
        for line in self.wrap(text, size, WIDTH - MARGIN - x) {
            self.need(size * 1.5);
            let y = self.y + size;
            self.text_at(x, y, size, &line, color);
            self.y += size * 1.5;
        }
    }

    /// A label and its value on one row (the value wrapped).
    pub(crate) fn field(&mut self, label: &str, value: &str, size: f32, label_w: f32) {
        let lines = self.wrap(value, size, WIDTH - 2.0 * MARGIN - label_w);
        self.need(size * 1.7 * lines.len() as f32);
        let y = self.y + size;
        self.text_at(MARGIN, y, size, label, GREY);
        for (i, l) in lines.iter().enumerate() {
            let y = self.y + size + i as f32 * size * 1.5;
            self.text_at(MARGIN + label_w, y, size, l, BLACK);
        }
        self.y += size * 1.5 * lines.len() as f32 + size * 0.4;
    }

    pub(crate) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8)) {
        self.ops().push(Op::Rect { x, y, w, h, color });
    }

    /// A horizontal rule at the cursor.
    pub(crate) fn rule(&mut self) {
        let y = self.y + 4.0;
        self.rect(MARGIN, y, WIDTH - 2.0 * MARGIN, 0.6, GREY);
        self.y += 10.0;
    }

    /// A QR code of `data`, `side` points square with its top-left at
    /// `(x, y)`: each dark module a filled square, the quiet zone left
    /// white. Returns false when the data does not fit a QR code.
    pub(crate) fn qr(&mut self, x: f32, y: f32, side: f32, data: &str) -> bool {
        let Ok(code) = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M) else {
            return false;
        };
        let n = code.width();
        let colors = code.to_colors();
        // Four modules of quiet zone on each side.
        let module = side / (n + 8) as f32;
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] != Color::Dark {
                    col += 1;
                    continue;
                }
                // One rectangle per horizontal run of dark modules.
                let start = col;
                while col < n && colors[row * n + col] == Color::Dark {
                    col += 1;
                }
                self.rect(
                    x + (start + 4) as f32 * module,
                    y + (row + 4) as f32 * module,
                    (col - start) as f32 * module,
                    module,
                    BLACK,
                );
            }
        }
        true
    }

    /// The PDF, with its title and language.
    pub(crate) fn finish(mut self, title: &str) -> Result<Vec<u8>, String> {
        let total = self.pages.len();
        let fonts = &mut self.fonts;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let text = format!("{}　第 {} 页 / 共 {total} 页", self.footer, i + 1);
            let w = fonts.width(&text, 8.0);
            page.push(Op::Text {
                x: (WIDTH - w) / 2.0,
                y: HEIGHT - 28.0,
                size: 8.0,
                text,
                color: GREY,
            });
        }
        let mut doc = Document::new();
        doc.set_metadata(
            Metadata::new()
                .title(title.to_string())
                .language("zh-CN".to_string())
                .creator("Jineng".to_string()),
        );
        let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or("page size")?;
        for ops in std::mem::take(&mut self.pages) {
            let mut page = doc.start_page_with(settings.clone());
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        text,
                        color,
                    } => {
                        surface.set_fill(Some(fill(color)));
                        let mut x = x;
                        for (face, run) in self.fonts.runs(&text) {
                            surface.draw_text(
                                Point::from_xy(x, y),
                                face.font.clone(),
                                size,
                                &run,
                                false,
                                TextDirection::LeftToRight,
                            );
                            x += face.width(&run, size);
                        }
                    }
                    Op::Rect { x, y, w, h, color } => {
                        let Some(r) = Rect::from_xywh(x, y, w, h) else {
                            continue;
                        };
                        let mut pb = PathBuilder::new();
                        pb.push_rect(r);
                        if let Some(path) = pb.finish() {
                            surface.set_fill(Some(fill(color)));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        doc.finish().map_err(|e| format!("{e:?}"))
    }
}

fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}
