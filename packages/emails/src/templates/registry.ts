import { createElement, type ReactElement, type ReactNode } from "react";
import type { EmailProps, EmailTemplateName } from "../schemas";
import { BookingCancelledEmail, bookingCancelledSubject } from "./booking-cancelled";
import { BookingConfirmationEmail, bookingConfirmationSubject } from "./booking-confirmation";
import { BookingReminderClientEmail, bookingReminderClientSubject } from "./booking-reminder-client";
import { BookingReminderCreatorEmail, bookingReminderCreatorSubject } from "./booking-reminder-creator";
import { CreatorNewBookingEmail, creatorNewBookingSubject } from "./creator-new-booking";
import { PaymentReceivedEmail, paymentReceivedSubject } from "./payment-received";

/** How one template turns its props into a subject and a React Email tree. */
export interface EmailTemplate<P> {
  subject(props: P): string;
  element(props: P): ReactElement;
}

function template<P extends object>(subject: (props: P) => string, Component: (props: P) => ReactNode): EmailTemplate<P> {
  return { subject, element: (props) => createElement(Component, props) };
}

/** Every template by name; a template missing here is a type error. */
export const emailTemplates: { readonly [K in EmailTemplateName]: EmailTemplate<EmailProps<K>> } = {
  booking_reminder_client: template(bookingReminderClientSubject, BookingReminderClientEmail),
  booking_reminder_creator: template(bookingReminderCreatorSubject, BookingReminderCreatorEmail),
  booking_confirmation: template(bookingConfirmationSubject, BookingConfirmationEmail),
  booking_cancelled: template(bookingCancelledSubject, BookingCancelledEmail),
  creator_new_booking: template(creatorNewBookingSubject, CreatorNewBookingEmail),
  payment_received: template(paymentReceivedSubject, PaymentReceivedEmail),
};
