// Help pages (ACC-9), drawn from the source article on logging in to "My MTS", recovering the
// password and why confirmation codes do not arrive (shared/seed). Plain data, both languages.
import type { Lang } from '../../lib/format';

export type Article = { id: string; title: string; points: string[] };

export const articles: Record<Lang, Article[]> = {
  en: [
    {
      id: 'sms-not-arriving',
      title: 'The SMS code does not arrive',
      points: [
        'Airplane mode is on: a very common mistake. Turn it off; held messages arrive.',
        'A spam-blocking app treats the code as spam: turn it off and ask for the code again.',
        'The number is mistyped: the SMS goes to someone else. Check every digit.',
        'The phone itself may be at fault: ask someone to text you and see if it arrives.',
        'The operator may have a technical problem: wait a little, then ask support.',
        'Do not press “send” again and again: messages then arrive in waves. Here every repeat within 5 minutes is the same code, so any of them will do.',
        'Sign-in codes come only from 3339 (and 111); a payment’s confirmation code comes from your bank (BANK), and only while you are paying. A “code” from an ordinary mobile number is fraud: never type it anywhere.',
      ],
    },
    {
      id: 'mail-not-arriving',
      title: 'The code by e-mail does not arrive',
      points: [
        'Look in the Spam folder and move the letter to Inbox, so the next one is not filed there.',
        'Check the mailbox filters: a rule may delete letters automatically.',
        'A full mailbox (about 2000 MB) refuses new letters: delete some and ask again.',
        'Check that the address is right. Temporary (disposable) addresses are not accepted.',
      ],
    },
    {
      id: 'command-111',
      title: 'Set a password by SMS to 111',
      points: [
        'If no SMS password arrives within 30 minutes, send a free SMS to 111: 25, a space, and your new password. Example: “25 November348”.',
        'The password needs at least 8 characters with an upper-case letter, a lower-case letter and a digit.',
        'Common passwords are refused, such as a word with digits added (“Hello123”): they are the first ones guessed. Choose words that do not belong together, with a digit inside, like “Kettle7Orbit”.',
        'The reply brings a one-time password. Sign in with it and the password you sent becomes permanent; a second SMS confirms.',
        'A reply “password change error” says why; if it repeats, call 0890.',
      ],
    },
    {
      id: 'sign-in',
      title: 'Ways to sign in',
      points: [
        'Mobile: your number and the permanent password, or “SMS password”: type the characters from the picture (case matters) and wait for the SMS from 3339.',
        'Three wrong passwords in a row lock password login. A fresh SMS password unlocks it.',
        'Home internet & TV and Satellite TV: the contract number and password; no SMS password. Lost it? Restore it by e-mail.',
        'Internet banking: no temporary password online; call 0890.',
        'On the MTS mobile network the app recognises your number and signs you in without a password.',
        'A social network account linked to your number can sign you in. Link it in Settings while signed in.',
      ],
    },
    {
      id: 'account',
      title: 'Using the personal account',
      points: [
        'The personal account is free; only mobile data outside the app is charged. Tariff changes and services are charged per your tariff.',
        'With a zero or negative balance you can see everything, but paid actions (a tariff change, a paid service) need a top-up first.',
        'Add the numbers of relatives under “My numbers” with their passwords, then switch in one tap.',
        'Lost the phone or SIM? Block the number at once under Settings → Block the number.',
      ],
    },
    {
      id: 'security',
      title: 'Security',
      points: [
        'Read the System Use Agreement; everything done under your password counts as your action and is recorded.',
        'After 20 minutes without activity the session ends; sign in again to continue.',
        'Leave with “Exit”: it ends the session and forgets this device.',
        'A good password mixes upper- and lower-case letters, digits and signs; not a birthday or a name.',
        'Never pay anyone who offers your password for money: only the operator can restore access. Support: 0890 (free).',
      ],
    },
  ],
  ru: [
    {
      id: 'sms-not-arriving',
      title: 'Не приходит SMS с кодом',
      points: [
        'Включён авиарежим — очень частая ошибка. Выключите его: задержанные сообщения придут.',
        'Приложение-антиспам считает код спамом: отключите его и запросите код снова.',
        'Номер введён с ошибкой — SMS уходит другому человеку. Проверьте каждую цифру.',
        'Проблема может быть в телефоне: попросите кого-нибудь прислать вам SMS и проверьте, дойдёт ли оно.',
        'У оператора могут быть технические неполадки: подождите немного, затем обратитесь в поддержку.',
        'Не нажимайте «отправить» много раз: сообщения придут волнами. Здесь повторный запрос в течение 5 минут присылает тот же код, подойдёт любое сообщение.',
        'Коды для входа приходят только с номеров 3339 (и 111); код подтверждения платежа присылает ваш банк (BANK), и только пока вы платите. «Код» с обычного мобильного номера — мошенники: никуда его не вводите.',
      ],
    },
    {
      id: 'mail-not-arriving',
      title: 'Не приходит код на e-mail',
      points: [
        'Загляните в папку «Спам» и перенесите письмо во «Входящие», чтобы следующие туда не попадали.',
        'Проверьте фильтры почты: правило может удалять письма автоматически.',
        'Переполненный ящик (около 2000 МБ) не принимает новые письма: удалите часть и запросите снова.',
        'Проверьте, правильно ли указан адрес. Временные (одноразовые) адреса не принимаются.',
      ],
    },
    {
      id: 'command-111',
      title: 'Пароль через SMS на 111',
      points: [
        'Если SMS с паролем не пришло за 30 минут, отправьте бесплатное SMS на 111: 25, пробел и новый пароль. Например: «25 November348».',
        'Пароль — не меньше 8 символов, заглавная и строчная буквы и цифра.',
        'Распространённые пароли не принимаются, например слово с цифрами («Hello123»): их подбирают первыми. Возьмите несвязанные слова с цифрой внутри, например «Kettle7Orbit».',
        'В ответ придёт одноразовый пароль. Войдите с ним — и отправленный пароль станет постоянным; второе SMS это подтвердит.',
        'Ответ «ошибка смены пароля» объясняет причину; если повторяется, позвоните 0890.',
      ],
    },
    {
      id: 'sign-in',
      title: 'Способы входа',
      points: [
        'Мобильная связь: номер и постоянный пароль или «Пароль по SMS»: введите символы с картинки (регистр важен) и дождитесь SMS от 3339.',
        'Три неверных пароля подряд блокируют вход по паролю. Новый пароль по SMS снимает блокировку.',
        'Домашний интернет и ТВ, спутниковое ТВ: номер договора и пароль, без пароля по SMS. Потеряли — восстановите по e-mail.',
        'Интернет-банкинг: временный пароль онлайн не выдаётся, звоните 0890.',
        'В мобильной сети МТС приложение узнаёт ваш номер и входит без пароля.',
        'Войти можно и через соцсеть, привязанную к номеру. Привяжите её в настройках, когда войдёте.',
      ],
    },
    {
      id: 'account',
      title: 'Как пользоваться личным кабинетом',
      points: [
        'Личный кабинет бесплатный; оплачивается только мобильный интернет вне приложения. Смена тарифа и услуги — по вашему тарифу.',
        'При нулевом или отрицательном балансе всё можно смотреть, но платные действия (смена тарифа, платная услуга) — только после пополнения.',
        'Добавьте номера близких в «Мои номера» с их паролями и переключайтесь в одно касание.',
        'Потеряли телефон или SIM-карту? Сразу заблокируйте номер: Настройки → Блокировка номера.',
      ],
    },
    {
      id: 'security',
      title: 'Безопасность',
      points: [
        'Прочитайте соглашение об использовании системы: всё, что сделано под вашим паролем, считается вашими действиями и записывается.',
        'Через 20 минут без действий сеанс завершается; войдите снова, чтобы продолжить.',
        'Выходите кнопкой «Выход»: она завершает сеанс и забывает это устройство.',
        'Хороший пароль сочетает заглавные и строчные буквы, цифры и знаки; не дата рождения и не имя.',
        'Не платите тем, кто предлагает пароль за деньги: доступ восстанавливает только оператор. Поддержка: 0890 (бесплатно).',
      ],
    },
  ],
};
