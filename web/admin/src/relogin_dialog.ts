// A modal login over the current page, for a session that ends while a job is running: the job stays mounted
// (and keeps its leases) while the user logs in again. Use with api.pushUnauthorizedHandler:
//
//   const remove = pushUnauthorizedHandler(() => openReloginDialog());
import {currentUsername, decodeClaims} from './api';
import {h} from './dom';
import {createLoginForm, focusLoginForm} from './login_form';

let open: Promise<boolean> | null = null;

// Resolves true once logged in again as staff, false when the user cancels. One dialog at a time.
export function openReloginDialog(reason = 'Your session has ended. Log in again to continue.'): Promise<boolean> {
  open ??= new Promise<boolean>((resolve) => {
    const cancel = h('button', {type: 'button'}, 'Cancel');
    const dialog = h('dialog', {class: 'relogin-dialog', 'aria-labelledby': 'relogin-title'});
    const finish = (result: boolean) => {
      dialog.close();
      dialog.remove();
      open = null;
      resolve(result);
    };
    const form = createLoginForm({
      username: currentUsername() ?? decodeClaims()?.username ?? '',
      onSuccess: () => finish(true),
      extraButtons: [cancel],
    });
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    dialog.append(h('h2', {id: 'relogin-title'}, 'Log in again'), h('p', {}, reason), form);
    document.body.append(dialog);
    dialog.showModal();
    focusLoginForm(form);
  });
  return open;
}
