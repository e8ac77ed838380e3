// Test-only extension (tier 3): as any other installed extension would, it activates WeCom Chat
// Archive and writes what activate() returned into the workspace, for the UI test to read.
const vscode = require('vscode');

exports.activate = async (context) => {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return;
  const ext = vscode.extensions.getExtension('wecom-chat-archive.wecom-chat-archive');
  let exported;
  let error;
  try {
    exported = ext ? await ext.activate() : undefined;
  } catch (e) {
    error = String(e);
  }
  const result = {
    found: Boolean(ext),
    active: Boolean(ext?.isActive),
    exportsType: exported === undefined ? 'undefined' : typeof exported,
    keys: exported && typeof exported === 'object' ? Object.keys(exported) : [],
    probeMode: context.extensionMode,
    error,
  };
  await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder, 'exports-probe.json'), Buffer.from(JSON.stringify(result)));
};
