"""Money: products a business sells, purchases (paid online or recorded by staff) and the payment
provider's events applied to them."""
