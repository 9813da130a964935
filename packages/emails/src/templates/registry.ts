import { createElement, type ReactElement, type ReactNode } from "react";
import type { EmailProps, EmailTemplateName } from "@callastar/email-schemas";
import { BookingCancelledEmail, bookingCancelledSubject, bookingCancelledView } from "./booking-cancelled";
import { BookingConfirmationEmail, bookingConfirmationSubject, bookingConfirmationView } from "./booking-confirmation";
import { BookingReminderClientEmail, bookingReminderClientSubject, bookingReminderClientView } from "./booking-reminder-client";
import { BookingReminderCreatorEmail, bookingReminderCreatorSubject, bookingReminderCreatorView } from "./booking-reminder-creator";
import { CreatorNewBookingEmail, creatorNewBookingSubject, creatorNewBookingView } from "./creator-new-booking";
import { PaymentReceivedEmail, paymentReceivedSubject, paymentReceivedView } from "./payment-received";
import type { EmailView } from "./view";

/** How one template turns its props into a subject, display strings and a React Email tree. */
export interface EmailTemplate<P, V extends EmailView = EmailView> {
  subject(props: P): string;
  /** Every display string, computed outside React so the tree depends only on strings. */
  view(props: P): V;
  /** The tree for a view; used directly by the render cache with placeholder strings. */
  Component(this: void, view: V): ReactNode;
  element(props: P): ReactElement;
}

function template<P, V extends EmailView>(subject: (props: P) => string, view: (props: P) => V, Component: (view: V) => ReactNode): EmailTemplate<P, V> {
  return { subject, view, Component, element: (props) => createElement(Component, view(props)) };
}

/** Every template by name; a template missing here is a type error. */
export const emailTemplates: { readonly [K in EmailTemplateName]: EmailTemplate<EmailProps<K>> } = {
  booking_reminder_client: template(bookingReminderClientSubject, bookingReminderClientView, BookingReminderClientEmail),
  booking_reminder_creator: template(bookingReminderCreatorSubject, bookingReminderCreatorView, BookingReminderCreatorEmail),
  booking_confirmation: template(bookingConfirmationSubject, bookingConfirmationView, BookingConfirmationEmail),
  booking_cancelled: template(bookingCancelledSubject, bookingCancelledView, BookingCancelledEmail),
  creator_new_booking: template(creatorNewBookingSubject, creatorNewBookingView, CreatorNewBookingEmail),
  payment_received: template(paymentReceivedSubject, paymentReceivedView, PaymentReceivedEmail),
};
