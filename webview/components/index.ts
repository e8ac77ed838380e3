// Thin components over the toolkit (see toolkit.ts). Each returns its element plus a small typed
// surface (value, invalid state, events), so callers never touch toolkit APIs or tag names; the
// stylesheet selects controls by the classes set here (text-field, dropdown-field, radio-group).
import { codicon, fill, h } from '../lib/dom';
import { type ToolkitElement, createElement, isElement, queryAll } from './toolkit';

export { registerToolkit } from './toolkit';

type Attrs = Parameters<typeof fill>[1];

/** A toolkit element with attributes and children, as h() makes a built-in one. */
function tk<K extends Parameters<typeof createElement>[0]>(kind: K, attrs?: Attrs, ...children: (Node | string)[]): ToolkitElement<K> {
  return fill(createElement(kind), attrs, ...children);
}

interface ValueElement extends HTMLElement {
  value: string;
  disabled: boolean;
}

export interface Field {
  /** The element to place in the layout. */
  el: HTMLElement;
  /** The control (for focus, aria-* and events). */
  control: HTMLElement;
  get value(): string;
  set value(v: string);
  setInvalid(invalid: boolean): void;
  setDisabled(disabled: boolean): void;
  onInput(cb: () => void): void;
  focus(): void;
}

function describe(control: HTMLElement, describedBy?: string): void {
  if (describedBy) control.setAttribute('aria-describedby', describedBy);
}

function valueField(control: ValueElement, el: HTMLElement, events: readonly string[], write: (v: string) => void = (v) => {
  control.value = v;
}): Field {
  return {
    el,
    control,
    get value() {
      return control.value ?? '';
    },
    set value(v: string) {
      write(v);
    },
    setInvalid(invalid) {
      control.setAttribute('aria-invalid', String(invalid));
      control.classList.toggle('invalid', invalid);
    },
    setDisabled(disabled) {
      control.disabled = disabled;
    },
    onInput(cb) {
      for (const e of events) control.addEventListener(e, cb);
    },
    focus() {
      control.focus();
    },
  };
}

/** A single-line text field with a visible label. */
export function textField(o: { id: string; label: string; value?: string; placeholder?: string; describedBy?: string; inputmode?: string; size?: number }): Field {
  const control = tk('textField', { id: o.id, class: 'text-field', placeholder: o.placeholder, inputmode: o.inputmode, size: o.size === undefined ? undefined : String(o.size) });
  control.append(o.label);
  describe(control, o.describedBy);
  control.value = o.value ?? '';
  return valueField(control, control, ['input', 'change']);
}

/** A local date-time field (the toolkit has none): a native input styled with theme variables. */
export function dateTimeField(o: { id: string; label: string; value?: string; describedBy?: string }): Field {
  const control = h('input', { id: o.id, type: 'datetime-local', class: 'dt-field', step: '1' });
  describe(control, o.describedBy);
  control.value = o.value ?? '';
  const el = h('div', { class: 'dt-wrap' }, h('label', { for: o.id, class: 'dt-label' }, o.label), control);
  return valueField(control, el, ['input', 'change']);
}

/** A native date field (jump to date). */
export function dateField(o: { id: string; label: string; value?: string }): Field {
  const control = h('input', { id: o.id, type: 'date', class: 'dt-field', 'aria-label': o.label, title: o.label });
  control.value = o.value ?? '';
  return valueField(control, control, ['input', 'change']);
}

export interface Choice {
  value: string;
  text: string;
}

/** A single-choice dropdown. */
export function dropdown(o: { id: string; label: string; options: readonly Choice[]; value?: string; describedBy?: string }): Field & { setOptions(options: readonly Choice[], value?: string): void } {
  const control = tk('dropdown', { id: o.id, class: 'dropdown-field', 'aria-label': o.label, title: o.label });
  describe(control, o.describedBy);
  const setOptions = (options: readonly Choice[], value?: string) => {
    control.replaceChildren(...options.map((c) => tk('option', { value: c.value }, c.text)));
    if (value !== undefined) control.value = value;
  };
  setOptions(o.options, o.value);
  // Not a spread: that would copy the `value` getter's current result instead of the getter.
  const field = valueField(control, control, ['change']) as Field & { setOptions(options: readonly Choice[], value?: string): void };
  field.setOptions = setOptions;
  return field;
}

/** A group of radio buttons with a visible label. */
export function radioGroup(o: { id: string; label: string; options: readonly Choice[]; value: string }): Field {
  const control = tk('radioGroup', { id: o.id, class: 'radio-group' });
  control.append(h('label', { slot: 'label' }, o.label));
  for (const c of o.options) control.append(tk('radio', { value: c.value, 'data-value': c.value }, c.text));
  control.value = o.value;
  return valueField(control, control, ['change'], (v) => {
    control.value = v;
    for (const r of queryAll(control, 'radio')) r.checked = r.dataset.value === v;
  });
}

export interface Button {
  el: HTMLElement;
  setDisabled(disabled: boolean): void;
  readonly disabled: boolean;
}

/** A text button (primary or secondary), optionally with a codicon. */
export function button(o: { id?: string; text: string; icon?: string; appearance?: 'primary' | 'secondary'; label?: string; onClick: () => void }): Button {
  const el = tk('button', { id: o.id, appearance: o.appearance ?? 'primary', 'aria-label': o.label });
  if (o.icon) {
    const icon = codicon(o.icon);
    icon.setAttribute('slot', 'start');
    el.append(icon);
  }
  el.append(o.text);
  el.addEventListener('click', () => {
    if (!el.disabled) o.onClick();
  });
  return {
    el,
    setDisabled(disabled) {
      el.disabled = disabled;
      if (disabled) el.setAttribute('aria-disabled', 'true');
      else el.removeAttribute('aria-disabled');
    },
    get disabled() {
      return Boolean(el.disabled);
    },
  };
}

/** A small icon-only button: native (cheap enough for every virtualized row), labelled for ARIA. */
export function iconButton(icon: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'icon-button', 'aria-label': label, title: label }, codicon(icon));
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** A checkbox with a label. */
export function checkbox(o: { label: string; value: string; checked: boolean; onChange: (checked: boolean) => void }): HTMLElement & { checked: boolean } {
  const el = tk('checkbox', { 'data-value': o.value }, o.label);
  el.checked = o.checked;
  el.addEventListener('change', () => o.onChange(el.checked));
  return el;
}

/** An indeterminate progress indicator. */
export function progressRing(label: string): HTMLElement {
  return tk('progressRing', { 'aria-label': label, class: 'progress' });
}

/**
 * Whether a form's own key handling must leave this key to the control: a button clicks on Enter,
 * a dropdown opens, picks and closes with Enter and Escape.
 */
export function controlOwnsKey(target: EventTarget | null, key: string): boolean {
  if (key === 'Enter') return isElement(target, 'button') || isElement(target, 'dropdown');
  if (key === 'Escape') return isElement(target, 'dropdown');
  return false;
}
