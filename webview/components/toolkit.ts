// The only file that knows which UI toolkit is in use: its package, its tag names and its element
// classes. Everything else builds controls through the wrappers in this folder (index.ts), and the
// page's CSP takes what the toolkit needs from csp.ts, so the toolkit can be swapped in this folder alone.
import {
  type Button,
  type Checkbox,
  type Dropdown,
  type Option,
  type ProgressRing,
  type Radio,
  type RadioGroup,
  type TextField,
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeRadio,
  vsCodeRadioGroup,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

/** The toolkit's elements, by the role they play here. */
interface Elements {
  button: Button;
  checkbox: Checkbox;
  dropdown: Dropdown;
  option: Option;
  progressRing: ProgressRing;
  radio: Radio;
  radioGroup: RadioGroup;
  textField: TextField;
}
export type ToolkitElement<K extends keyof Elements> = Elements[K];

const TAGS: { readonly [K in keyof Elements]: string } = {
  button: 'vscode-button',
  checkbox: 'vscode-checkbox',
  dropdown: 'vscode-dropdown',
  option: 'vscode-option',
  progressRing: 'vscode-progress-ring',
  radio: 'vscode-radio',
  radioGroup: 'vscode-radio-group',
  textField: 'vscode-text-field',
};

let registered = false;

/** Registers just the toolkit components the wrappers use (once). */
export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeProgressRing(),
    vsCodeRadio(),
    vsCodeRadioGroup(),
    vsCodeTextField(),
  );
}

/** A new toolkit element. */
export function createElement<K extends keyof Elements>(kind: K): Elements[K] {
  // createElement knows only built-in tags; registerToolkit() defined this tag with this class
  // (an element made before that is upgraded in place when the definition arrives).
  return document.createElement(TAGS[kind]) as Elements[K];
}

/** The toolkit elements of a kind inside a container. */
export function queryAll<K extends keyof Elements>(root: ParentNode, kind: K): Elements[K][] {
  return [...root.querySelectorAll(TAGS[kind])] as Elements[K][];
}

/** Whether an element is a toolkit element of that kind. */
export function isElement<K extends keyof Elements>(el: EventTarget | null, kind: K): el is Elements[K] {
  return el instanceof Element && el.localName === TAGS[kind];
}
